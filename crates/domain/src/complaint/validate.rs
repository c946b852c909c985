//! Turning a [`ComplaintInput`] into a [`Complaint`], collecting every field error on the way.

use jiff::civil::Date;

use super::input::{
    AgentInput, AmountsInput, ChannelInput, ComplaintInput, FactsInput, PartyInput,
    RespondentInput, RightInput,
};
use super::{
    Agent, Amounts, Channel, Complainant, ComplainantKind, Complaint, Direction, Facts,
    RequestedMeasure, Respondent, Right, RightKind, limits,
};
use crate::error::ValidationErrors;
use crate::ids::{Email, MobileNumber, PatentKind, PatentNumber, TrademarkNumber, Uscc};

impl ComplaintInput {
    /// Validates the whole document. Either every field is good, or every bad one is named.
    /// Dates are not compared with today: see [`ComplaintInput::validate_on`].
    pub fn validate(self) -> Result<Complaint, ValidationErrors> {
        self.validate_at(None)
    }

    /// As [`ComplaintInput::validate`], refusing fact dates after `today` (the filing date).
    pub fn validate_on(self, today: Date) -> Result<Complaint, ValidationErrors> {
        self.validate_at(Some(today))
    }

    fn validate_at(self, today: Option<Date>) -> Result<Complaint, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let channel = match self.channel {
            Some(c) => channel(&mut e, c),
            None => {
                required(&mut e, "channel");
                None
            }
        };
        let complainant = match self.complainant {
            Some(p) => complainant(&mut e, p),
            None => {
                required(&mut e, "complainant");
                None
            }
        };
        let agent = self.agent.and_then(|a| agent(&mut e, a));
        let rights = rights(&mut e, self.rights);
        let respondent = match self.respondent {
            Some(r) => respondent(&mut e, r),
            None => {
                required(&mut e, "respondent");
                None
            }
        };
        let description = text(
            &mut e,
            "description",
            self.description,
            true,
            limits::DESCRIPTION_CHARS,
        );
        let goods = text(&mut e, "goods", self.goods, false, limits::GOODS_CHARS);
        let amounts = facts::amounts(&mut e, self.amounts.unwrap_or_default());
        let border = channel
            .as_ref()
            .map(|c| matches!(c, Channel::Border { .. }));
        let facts = facts::facts(
            &mut e,
            self.facts.unwrap_or_default(),
            border,
            &rights,
            today,
        );
        let requested_measures = measures(&mut e, self.requested_measures.unwrap_or_default());

        match (channel, complainant, respondent, description) {
            (Some(channel), Some(complainant), Some(respondent), Some(description))
                if e.is_empty() =>
            {
                Ok(Complaint {
                    channel,
                    complainant,
                    agent,
                    rights,
                    respondent,
                    description,
                    goods,
                    amounts,
                    requested_measures,
                    facts,
                })
            }
            _ => Err(e),
        }
    }
}

/// A caseworker's routing facts and amounts for `complaint` (at triage), validated as at filing
/// (`facts.*` and `amounts.*` paths). Either absent keeps what the complaint states.
pub fn validate_facts(
    complaint: &Complaint,
    facts: Option<FactsInput>,
    amounts: Option<AmountsInput>,
    today: Date,
) -> Result<(Facts, Amounts), ValidationErrors> {
    let mut e = ValidationErrors::default();
    let border = Some(matches!(complaint.channel, Channel::Border { .. }));
    let f = match facts {
        Some(f) => facts::facts(&mut e, f, border, &complaint.rights, Some(today)),
        None => complaint.facts.clone(),
    };
    let a = match amounts {
        Some(a) => facts::amounts(&mut e, a),
        None => complaint.amounts.clone(),
    };
    if e.is_empty() { Ok((f, a)) } else { Err(e) }
}

fn required(e: &mut ValidationErrors, path: &str) {
    e.push(path, "required", "此项为必填项", "this field is required");
}

/// Trims; treats blank as absent; bounds the length in characters; refuses control characters
/// other than line breaks and tabs.
fn text(
    e: &mut ValidationErrors,
    path: &str,
    value: Option<String>,
    is_required: bool,
    max_chars: usize,
) -> Option<String> {
    let v = value
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    match v {
        None => {
            if is_required {
                required(e, path);
            }
            None
        }
        Some(s) if s.chars().count() > max_chars => {
            e.push(
                path,
                "too_long",
                format!("内容过长，最多{max_chars}个字符"),
                format!("too long: at most {max_chars} characters"),
            );
            None
        }
        Some(s)
            if s.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') =>
        {
            e.push(
                path,
                "control_characters",
                "含有不可见控制字符",
                "contains control characters",
            );
            None
        }
        Some(s) => Some(s),
    }
}

fn short(
    e: &mut ValidationErrors,
    path: &str,
    value: Option<String>,
    is_required: bool,
) -> Option<String> {
    text(e, path, value, is_required, limits::SHORT_TEXT_CHARS)
}

fn date(e: &mut ValidationErrors, path: &str, value: Option<String>) -> Option<Date> {
    let s = value
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())?;
    match s.parse::<Date>() {
        Ok(d) if s.len() == 10 => Some(d),
        _ => {
            e.push(
                path,
                "date_format",
                "日期格式应为 YYYY-MM-DD，且须为有效日期",
                "a date is written YYYY-MM-DD and must exist",
            );
            None
        }
    }
}

fn date_range(e: &mut ValidationErrors, path: &str, from: Option<Date>, until: Option<Date>) {
    if let (Some(a), Some(b)) = (from, until)
        && a > b
    {
        e.push(
            path,
            "date_order",
            "结束日期早于开始日期",
            "the end date is before the start date",
        );
    }
}

fn not_for(e: &mut ValidationErrors, path: &str, present: bool, kind: &str) {
    if present {
        e.push(
            path,
            "field_not_for_channel",
            format!("此项不适用于“{kind}”渠道"),
            format!("this field does not apply to the {kind} channel"),
        );
    }
}

fn channel(e: &mut ValidationErrors, c: ChannelInput) -> Option<Channel> {
    let kind = c
        .kind
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    let fair_fields = [
        ("channel.fair_name", c.fair_name.is_some()),
        ("channel.session", c.session.is_some()),
        ("channel.hall", c.hall.is_some()),
        ("channel.booth", c.booth.is_some()),
        ("channel.starts_on", c.starts_on.is_some()),
        ("channel.ends_on", c.ends_on.is_some()),
    ];
    let shop_fields = [
        ("channel.platform", c.platform.is_some()),
        ("channel.shop_name", c.shop_name.is_some()),
        ("channel.shop_id", c.shop_id.is_some()),
        ("channel.listing_urls", c.listing_urls.is_some()),
    ];
    let border_fields = [
        ("channel.port", c.port.is_some()),
        ("channel.declaration_number", c.declaration_number.is_some()),
        ("channel.waybill_number", c.waybill_number.is_some()),
        ("channel.direction", c.direction.is_some()),
    ];
    let mut foreign = |groups: &[&[(&str, bool)]], note: bool| {
        for group in groups {
            for (path, present) in group.iter() {
                not_for(e, path, *present, &kind);
            }
        }
        not_for(e, "channel.note", note, &kind);
    };
    match kind.as_str() {
        "fair" => {
            foreign(&[&shop_fields, &border_fields], c.note.is_some());
            let fair_name = short(e, "channel.fair_name", c.fair_name, true);
            let session = short(e, "channel.session", c.session, false);
            let hall = short(e, "channel.hall", c.hall, false);
            let booth = short(e, "channel.booth", c.booth, true);
            let starts_on = date(e, "channel.starts_on", c.starts_on);
            let ends_on = date(e, "channel.ends_on", c.ends_on);
            date_range(e, "channel.ends_on", starts_on, ends_on);
            Some(Channel::Fair {
                fair_name: fair_name?,
                session,
                hall,
                booth: booth?,
                starts_on,
                ends_on,
            })
        }
        "ecommerce" => {
            foreign(&[&fair_fields, &border_fields], c.note.is_some());
            let platform = short(e, "channel.platform", c.platform, true);
            let shop_name = short(e, "channel.shop_name", c.shop_name, false);
            let shop_id = short(e, "channel.shop_id", c.shop_id, false);
            let listing_urls = urls(e, c.listing_urls.unwrap_or_default());
            Some(Channel::Ecommerce {
                platform: platform?,
                shop_name,
                shop_id,
                listing_urls,
            })
        }
        "border" => {
            foreign(&[&fair_fields, &shop_fields], c.note.is_some());
            let port = short(e, "channel.port", c.port, true);
            let declaration_number =
                short(e, "channel.declaration_number", c.declaration_number, false);
            let waybill_number = short(e, "channel.waybill_number", c.waybill_number, false);
            let direction = match c.direction.as_deref().map(str::trim) {
                Some("import") => Some(Direction::Import),
                Some("export") => Some(Direction::Export),
                Some(_) => {
                    e.push(
                        "channel.direction",
                        "unknown_value",
                        "应为 import 或 export",
                        "must be import or export",
                    );
                    None
                }
                None => {
                    required(e, "channel.direction");
                    None
                }
            };
            Some(Channel::Border {
                port: port?,
                declaration_number,
                waybill_number,
                direction: direction?,
            })
        }
        "walk_in" | "hotline" | "other" => {
            foreign(&[&fair_fields, &shop_fields, &border_fields], false);
            let note = text(e, "channel.note", c.note, false, limits::GOODS_CHARS);
            Some(match kind.as_str() {
                "walk_in" => Channel::WalkIn { note },
                "hotline" => Channel::Hotline { note },
                _ => Channel::Other { note },
            })
        }
        "" => {
            required(e, "channel.kind");
            None
        }
        _ => {
            e.push(
                "channel.kind",
                "unknown_value",
                "渠道应为 fair、ecommerce、border、walk_in、hotline 或 other",
                "kind must be one of fair, ecommerce, border, walk_in, hotline, other",
            );
            None
        }
    }
}

fn urls(e: &mut ValidationErrors, urls: Vec<String>) -> Vec<String> {
    if urls.is_empty() || urls.len() > limits::LISTING_URLS {
        e.push(
            "channel.listing_urls",
            "count",
            format!("须提供1至{}个商品链接", limits::LISTING_URLS),
            format!("give 1 to {} listing URLs", limits::LISTING_URLS),
        );
        return Vec::new();
    }
    let mut out = Vec::with_capacity(urls.len());
    for (i, u) in urls.into_iter().enumerate() {
        let u = u.trim().to_string();
        let host = u
            .strip_prefix("https://")
            .or_else(|| u.strip_prefix("http://"))
            .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
        let ok = u.len() <= limits::URL_CHARS
            && host.is_some_and(|h| !h.is_empty() && h.contains('.'))
            && !u.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            if !out.contains(&u) {
                out.push(u);
            }
        } else {
            e.push(
                format!("channel.listing_urls[{i}]"),
                "url_format",
                "链接应为以 http:// 或 https:// 开头的完整网址",
                "a listing URL is a full http:// or https:// address",
            );
        }
    }
    out
}

fn complainant(e: &mut ValidationErrors, p: PartyInput) -> Option<Complainant> {
    let kind = match p.kind.as_deref().map(str::trim) {
        Some("organisation") | Some("organization") => Some(ComplainantKind::Organisation),
        Some("person") => Some(ComplainantKind::Person),
        None | Some("") => {
            required(e, "complainant.kind");
            None
        }
        Some(_) => {
            e.push(
                "complainant.kind",
                "unknown_value",
                "应为 organisation（单位）或 person（个人）",
                "must be organisation or person",
            );
            None
        }
    };
    let name = short(e, "complainant.name", p.name, true);
    let uscc = opt_id(e, "complainant.uscc", p.uscc, Uscc::parse);
    let mobile = opt_id(
        e,
        "complainant.mobile",
        p.mobile.clone(),
        MobileNumber::parse,
    );
    let email = opt_id(e, "complainant.email", p.email.clone(), Email::parse);
    let address = short(e, "complainant.address", p.address, false);
    if blank(&p.mobile) && blank(&p.email) {
        e.push(
            "complainant.mobile",
            "contact_required",
            "请至少填写手机号或电子邮箱，以便通知补正",
            "give a mobile number or an e-mail address so that the centre can reach you",
        );
    }
    Some(Complainant {
        kind: kind?,
        name: name?,
        uscc,
        mobile,
        email,
        address,
    })
}

fn agent(e: &mut ValidationErrors, a: AgentInput) -> Option<Agent> {
    let name = short(e, "agent.name", a.name, true);
    let uscc = opt_id(e, "agent.uscc", a.uscc, Uscc::parse);
    let mobile = opt_id(e, "agent.mobile", a.mobile, MobileNumber::parse);
    let email = opt_id(e, "agent.email", a.email, Email::parse);
    let poa = short(
        e,
        "agent.power_of_attorney_ref",
        a.power_of_attorney_ref,
        true,
    );
    Some(Agent {
        name: name?,
        uscc,
        mobile,
        email,
        power_of_attorney_ref: poa?,
    })
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn opt_id<T>(
    e: &mut ValidationErrors,
    path: &str,
    value: Option<String>,
    parse: impl Fn(&str) -> Result<T, crate::error::IdError>,
) -> Option<T> {
    let v = value.filter(|s| !s.trim().is_empty())?;
    e.take(path, parse(&v))
}

fn rights(e: &mut ValidationErrors, rights: Option<Vec<RightInput>>) -> Vec<Right> {
    let rights = rights.unwrap_or_default();
    if rights.is_empty() || rights.len() > limits::RIGHTS {
        e.push(
            "rights",
            "count",
            format!("须列明1至{}项权利", limits::RIGHTS),
            format!("list 1 to {} rights", limits::RIGHTS),
        );
        return Vec::new();
    }
    rights
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| right(e, &format!("rights[{i}]"), r))
        .collect()
}

fn right(e: &mut ValidationErrors, at: &str, r: RightInput) -> Option<Right> {
    let kind = match r.kind.as_deref().map(str::trim).unwrap_or_default() {
        "invention_patent" => Some(RightKind::InventionPatent),
        "utility_model" => Some(RightKind::UtilityModel),
        "design_patent" => Some(RightKind::DesignPatent),
        "trademark" => Some(RightKind::Trademark),
        "copyright" => Some(RightKind::Copyright),
        "geographical_indication" => Some(RightKind::GeographicalIndication),
        "other" => Some(RightKind::Other),
        "" => {
            required(e, &format!("{at}.kind"));
            None
        }
        _ => {
            e.push(
                format!("{at}.kind"),
                "unknown_value",
                "权利类型应为 invention_patent、utility_model、design_patent、trademark、copyright、geographical_indication 或 other",
                "kind must be one of invention_patent, utility_model, design_patent, trademark, copyright, geographical_indication, other",
            );
            None
        }
    };
    let number_path = format!("{at}.number");
    let raw_number = r
        .number
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let number = match (kind, raw_number) {
        (Some(k), None) if k.is_patent() || k == RightKind::Trademark => {
            required(e, &number_path);
            None
        }
        (Some(k), Some(n)) if k.is_patent() => {
            let parsed = e.take(&number_path, PatentNumber::parse(&n));
            if let Some(p) = &parsed {
                patent_kind_matches(e, &number_path, k, p.kind());
            }
            parsed.map(|p| p.as_str().to_string())
        }
        (Some(RightKind::Trademark), Some(n)) => e
            .take(&number_path, TrademarkNumber::parse(&n))
            .map(|t| t.as_str().to_string()),
        (_, n) => short(e, &number_path, n, false),
    };
    let title = short(e, &format!("{at}.title"), r.title, false);
    let holder = short(e, &format!("{at}.holder"), r.holder, false);
    let mut nice_classes = Vec::new();
    for (j, c) in r.nice_classes.unwrap_or_default().into_iter().enumerate() {
        match u8::try_from(c) {
            Ok(c @ 1..=45) => {
                if !nice_classes.contains(&c) {
                    nice_classes.push(c);
                }
            }
            _ => e.push(
                format!("{at}.nice_classes[{j}]"),
                "nice_class",
                "尼斯分类应为1至45",
                "a Nice class is 1 to 45",
            ),
        }
    }
    let valid_from = date(e, &format!("{at}.valid_from"), r.valid_from);
    let valid_until = date(e, &format!("{at}.valid_until"), r.valid_until);
    date_range(e, &format!("{at}.valid_until"), valid_from, valid_until);
    Some(Right {
        kind: kind?,
        number,
        title,
        holder,
        nice_classes,
        valid_from,
        valid_until,
    })
}

/// The type digit of the application number must agree with the right's kind (1/8 invention,
/// 2/9 utility model, 3 design).
fn patent_kind_matches(e: &mut ValidationErrors, path: &str, kind: RightKind, actual: PatentKind) {
    let expected = match kind {
        RightKind::InventionPatent => PatentKind::Invention,
        RightKind::UtilityModel => PatentKind::UtilityModel,
        _ => PatentKind::Design,
    };
    if expected != actual {
        let (zh, en) = match actual {
            PatentKind::Invention => ("发明专利", "an invention patent"),
            PatentKind::UtilityModel => ("实用新型专利", "a utility model"),
            PatentKind::Design => ("外观设计专利", "a design patent"),
        };
        e.push(
            path,
            "patent_kind_mismatch",
            format!("该专利号属于{zh}，与所选权利类型不符"),
            format!("this number is {en}, which does not match the right's kind"),
        );
    }
}

fn respondent(e: &mut ValidationErrors, r: RespondentInput) -> Option<Respondent> {
    let identified = [&r.name, &r.uscc, &r.booth, &r.shop_id, &r.seller_id]
        .iter()
        .any(|v| !blank(v));
    if !identified {
        e.push(
            "respondent",
            "respondent_unidentified",
            "请至少提供被投诉人的名称、信用代码、展位号、店铺号或卖家号之一",
            "identify the respondent by name, credit code, booth, shop id or seller id",
        );
    }
    Some(Respondent {
        name: short(e, "respondent.name", r.name, false),
        uscc: opt_id(e, "respondent.uscc", r.uscc, Uscc::parse),
        booth: short(e, "respondent.booth", r.booth, false),
        shop_id: short(e, "respondent.shop_id", r.shop_id, false),
        seller_id: short(e, "respondent.seller_id", r.seller_id, false),
        address: short(e, "respondent.address", r.address, false),
    })
}

/// Yuan with at most two decimals, to whole fen.
fn fen(e: &mut ValidationErrors, path: &str, yuan: Option<f64>) -> Option<i64> {
    let y = yuan?;
    let f = (y * 100.0).round();
    if !y.is_finite()
        || y < 0.0
        || (y * 100.0 - f).abs() > 1e-6
        || f > limits::AMOUNT_MAX_FEN as f64
    {
        e.push(
            path,
            "amount",
            "金额应为非负数，单位元，最多两位小数",
            "an amount is a non-negative number of yuan with at most two decimals",
        );
        return None;
    }
    Some(f as i64)
}

fn measures(e: &mut ValidationErrors, raw: Vec<String>) -> Vec<RequestedMeasure> {
    let mut out = Vec::new();
    for (i, m) in raw.iter().enumerate() {
        let m = match m.trim() {
            "withdraw_exhibits" => RequestedMeasure::WithdrawExhibits,
            "take_down_listings" => RequestedMeasure::TakeDownListings,
            "stop_infringement" => RequestedMeasure::StopInfringement,
            "detain_goods" => RequestedMeasure::DetainGoods,
            "mediation" => RequestedMeasure::Mediation,
            "refer_to_police" => RequestedMeasure::ReferToPolice,
            "other" => RequestedMeasure::Other,
            _ => {
                e.push(
                    format!("requested_measures[{i}]"),
                    "unknown_value",
                    "未知的请求措施",
                    "unknown measure: use withdraw_exhibits, take_down_listings, stop_infringement, detain_goods, mediation, refer_to_police or other",
                );
                continue;
            }
        };
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

mod facts;
#[cfg(test)]
mod tests;
