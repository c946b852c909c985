//! The filing form as data: which fields each channel shows (named by their API paths, so a
//! validation error's path names its field), the values typed, and the [`ComplaintInput`] they
//! make. The templates draw whatever this module lists.

use kuaiwei_domain::input::{
    AgentInput, AmountsInput, ChannelInput, ComplaintInput, PartyInput, RespondentInput, RightInput,
};
use kuaiwei_domain::{FieldError, RightKind};
use kuaiwei_routing::{ChannelKind, MaterialKind};

use super::Lang;

/// The channels a complainant chooses from on the page (hotline complaints are typed in by staff).
pub const CHANNELS: [&str; 4] = ["fair", "ecommerce", "border", "walk_in"];

pub const RIGHTS: [(&str, RightKind); 7] = [
    ("trademark", RightKind::Trademark),
    ("design_patent", RightKind::DesignPatent),
    ("utility_model", RightKind::UtilityModel),
    ("invention_patent", RightKind::InventionPatent),
    ("copyright", RightKind::Copyright),
    ("geographical_indication", RightKind::GeographicalIndication),
    ("other", RightKind::Other),
];

const MEASURES: [&str; 7] = [
    "withdraw_exhibits",
    "take_down_listings",
    "stop_infringement",
    "detain_goods",
    "mediation",
    "refer_to_police",
    "other",
];

/// Fair fields a station's QR code may fill in: `/file?fair=…&session=…&hall=…&booth=…`.
pub const FAIR_PREFILL: [(&str, &str); 4] = [
    ("fair", "channel.fair_name"),
    ("session", "channel.session"),
    ("hall", "channel.hall"),
    ("booth", "channel.booth"),
];

/// The values of a form, in the order sent; a name may repeat (checkboxes).
#[derive(Default, Clone)]
pub struct Values(pub Vec<(String, String)>);

impl Values {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).to_string()).filter(|v| !v.is_empty())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// The channel chosen, if it is one the page offers.
    pub fn channel(&self) -> Option<&'static str> {
        let c = self.get("channel.kind");
        CHANNELS.into_iter().find(|k| *k == c)
    }

    pub fn right(&self) -> Option<(&'static str, RightKind)> {
        let r = self.get("rights[0].kind");
        RIGHTS.into_iter().find(|(k, _)| *k == r)
    }

    pub fn has_agent(&self) -> bool {
        [
            "agent.name",
            "agent.mobile",
            "agent.email",
            "agent.power_of_attorney_ref",
        ]
        .iter()
        .any(|n| !self.get(n).is_empty())
    }
}

/// One input as the template draws it.
pub struct Field {
    /// The API path, used as the input's name.
    pub name: &'static str,
    /// The element id (`f-channel-booth`), which the error summary links to.
    pub id: String,
    pub label: &'static str,
    pub hint: &'static str,
    /// text, tel, email, textarea, select, radio, checkbox
    pub kind: &'static str,
    pub inputmode: &'static str,
    pub autocomplete: &'static str,
    pub value: String,
    pub options: Vec<Opt>,
    pub error: Option<String>,
    pub required: bool,
}

impl Field {
    /// The ids of the hint and the error that describe the input (`aria-describedby`).
    pub fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

pub struct Opt {
    pub value: &'static str,
    pub label: &'static str,
    pub on: bool,
}

pub struct Group {
    pub legend: &'static str,
    pub hint: &'static str,
    pub fields: Vec<Field>,
}

/// A link of the error summary.
pub struct Problem {
    pub href: String,
    pub message: String,
}

pub fn field_id(name: &str) -> String {
    let mut id = String::from("f-");
    for c in name.chars() {
        match c {
            '.' | '[' => id.push('-'),
            ']' => {}
            c => id.push(c),
        }
    }
    id
}

/// (name, kind, required, inputmode, autocomplete, hint key or "")
type Spec = (
    &'static str,
    &'static str,
    bool,
    &'static str,
    &'static str,
    &'static str,
);

fn channel_specs(channel: &str) -> &'static [Spec] {
    match channel {
        "fair" => &[
            ("channel.fair_name", "text", true, "", "", ""),
            ("channel.session", "text", false, "", "", ""),
            ("channel.hall", "text", false, "", "", ""),
            ("channel.booth", "text", true, "", "", "hint.booth"),
        ],
        "ecommerce" => &[
            ("channel.platform", "text", true, "", "", ""),
            ("channel.shop_name", "text", false, "", "", ""),
            ("channel.shop_id", "text", false, "", "", ""),
            (
                "channel.listing_urls",
                "textarea",
                false,
                "url",
                "",
                "hint.listing_urls",
            ),
        ],
        "border" => &[
            ("channel.port", "text", true, "", "", ""),
            ("channel.direction", "select", true, "", "", ""),
            ("channel.declaration_number", "text", false, "", "", ""),
            ("channel.waybill_number", "text", false, "", "", ""),
        ],
        _ => &[("channel.note", "textarea", false, "", "", "")],
    }
}

const COMPLAINANT: &[Spec] = &[
    ("complainant.kind", "radio", true, "", "", ""),
    ("complainant.name", "text", true, "", "organization", ""),
    ("complainant.uscc", "text", false, "", "", "hint.uscc"),
    (
        "complainant.mobile",
        "tel",
        false,
        "tel",
        "tel",
        "hint.contact",
    ),
    ("complainant.email", "email", false, "email", "email", ""),
];

const RIGHT: &[Spec] = &[
    ("rights[0].kind", "select", true, "", "", ""),
    (
        "rights[0].number",
        "text",
        true,
        "",
        "",
        "hint.right_number",
    ),
    ("rights[0].title", "text", false, "", "", ""),
    ("rights[0].holder", "text", false, "", "", ""),
];

const AGENT: &[Spec] = &[
    ("agent.name", "text", false, "", "", ""),
    ("agent.mobile", "tel", false, "tel", "tel", ""),
    ("agent.power_of_attorney_ref", "text", false, "", "", ""),
];

fn respondent_specs(channel: &str) -> &'static [Spec] {
    match channel {
        "fair" => &[
            ("respondent.name", "text", false, "", "", "hint.respondent"),
            ("respondent.booth", "text", false, "", "", ""),
        ],
        "ecommerce" => &[
            ("respondent.name", "text", false, "", "", "hint.respondent"),
            ("respondent.shop_id", "text", false, "", "", ""),
            ("respondent.seller_id", "text", false, "", "", ""),
        ],
        _ => &[
            ("respondent.name", "text", false, "", "", "hint.respondent"),
            ("respondent.uscc", "text", false, "", "", ""),
        ],
    }
}

const WHAT: &[Spec] = &[
    ("description", "textarea", true, "", "", "hint.description"),
    ("goods", "text", false, "", "", ""),
    ("requested_measures", "checkbox", false, "", "", ""),
];

/// What the complainant may say of amounts and quantities (选填): the routing rules compare them
/// with the criminal thresholds, so that a case that is a crime goes to the police.
const AMOUNTS: &[Spec] = &[
    (
        "amounts.illegal_business_volume",
        "text",
        false,
        "decimal",
        "off",
        "",
    ),
    ("amounts.illegal_gains", "text", false, "decimal", "off", ""),
    ("amounts.loss", "text", false, "decimal", "off", ""),
    ("amounts.sales", "text", false, "decimal", "off", ""),
    ("amounts.unsold_value", "text", false, "decimal", "off", ""),
    ("amounts.copies", "text", false, "numeric", "off", ""),
    ("amounts.labels", "text", false, "numeric", "off", ""),
];

const YUAN: [&str; 5] = [
    "illegal_business_volume",
    "illegal_gains",
    "loss",
    "sales",
    "unsold_value",
];
const COUNTS: [&str; 2] = ["copies", "labels"];

/// The groups of fields for `channel`, with the values typed and the errors found.
pub fn groups(lang: Lang, channel: &str, v: &Values, errors: &[FieldError]) -> Vec<Group> {
    let mut placed = vec![false; errors.len()];
    let mut make = |legend: &'static str, hint: &'static str, specs: &[Spec]| Group {
        legend: lang.t(legend),
        hint: if hint.is_empty() { "" } else { lang.t(hint) },
        fields: specs
            .iter()
            .map(|s| field(lang, *s, v, errors, &mut placed))
            .collect(),
    };
    vec![
        make(
            match channel {
                "fair" => "group.fair",
                "ecommerce" => "group.ecommerce",
                "border" => "group.border",
                _ => "group.walk_in",
            },
            "",
            channel_specs(channel),
        ),
        make("group.complainant", "hint.complainant", COMPLAINANT),
        make("group.right", "", RIGHT),
        make("group.respondent", "", respondent_specs(channel)),
        make("group.what", "", WHAT),
        make("group.amounts", "hint.amounts", AMOUNTS),
        make("group.agent", "hint.agent", AGENT),
    ]
}

fn field(
    lang: Lang,
    (name, kind, required, inputmode, autocomplete, hint): Spec,
    v: &Values,
    errors: &[FieldError],
    placed: &mut [bool],
) -> Field {
    let key = format!("field.{}", name.replace("[0]", ""));
    let options: Vec<Opt> = match name {
        "complainant.kind" => ["organisation", "person"]
            .into_iter()
            .map(|o| option(lang, "complainant_kind", o, v.get(name) == o))
            .collect(),
        "channel.direction" => ["import", "export"]
            .into_iter()
            .map(|o| option(lang, "direction", o, v.get(name) == o))
            .collect(),
        "rights[0].kind" => RIGHTS
            .into_iter()
            .map(|(o, _)| option(lang, "right", o, v.get(name) == o))
            .collect(),
        "requested_measures" => MEASURES
            .into_iter()
            .map(|o| option(lang, "measure", o, v.all(name).contains(&o)))
            .collect(),
        _ => Vec::new(),
    };
    // an error belongs to the first field it names exactly, or that lies under or over it
    let error = errors
        .iter()
        .enumerate()
        .find(|(i, e)| {
            !placed[*i]
                && (e.path == name
                    || e.path.starts_with(&format!("{name}["))
                    || e.path.starts_with(&format!("{name}."))
                    || name.starts_with(&format!("{}.", e.path))
                    || name.starts_with(&format!("{}[", e.path)))
        })
        .map(|(i, e)| {
            placed[i] = true;
            message(lang, e)
        });
    Field {
        name,
        id: field_id(name),
        label: lang.t(&key),
        hint: if hint.is_empty() { "" } else { lang.t(hint) },
        kind,
        inputmode,
        autocomplete,
        value: v.get(name).to_string(),
        options,
        error,
        required,
    }
}

fn option(lang: Lang, group: &str, value: &'static str, on: bool) -> Opt {
    Opt {
        value,
        label: lang.t(&format!("option.{group}.{value}")),
        on,
    }
}

pub fn message(lang: Lang, e: &FieldError) -> String {
    match lang {
        Lang::Zh => e.message_zh.clone(),
        Lang::En => e.message_en.clone(),
    }
}

/// The error summary: every error, linking to the field that shows it.
pub fn problems(lang: Lang, groups: &[Group], errors: &[FieldError]) -> Vec<Problem> {
    let shown: Vec<&Field> = groups
        .iter()
        .flat_map(|g| &g.fields)
        .filter(|f| f.error.is_some())
        .collect();
    let mut out: Vec<Problem> = shown
        .iter()
        .map(|f| Problem {
            href: format!("#{}", f.id),
            message: format!(
                "{}{}{}",
                f.label,
                lang.t("file.colon"),
                f.error.as_deref().unwrap_or("")
            ),
        })
        .collect();
    // an error no field shows (e.g. a field of another channel) still appears in the summary
    let placed: usize = shown.len();
    if placed < errors.len() {
        for e in errors {
            let on_a_field = groups.iter().flat_map(|g| &g.fields).any(|f| {
                f.error.is_some()
                    && (e.path == f.name
                        || e.path.starts_with(f.name)
                        || f.name.starts_with(&e.path))
            });
            if !on_a_field {
                out.push(Problem {
                    href: "#form".into(),
                    message: if e.path == "form" {
                        message(lang, e)
                    } else {
                        format!("{}{}{}", e.path, lang.t("file.colon"), message(lang, e))
                    },
                });
            }
        }
    }
    out
}

/// The complaint the values describe, as the API would receive it, and any value the page
/// could not even put into it (a Nice class that is not a number).
pub fn complaint_input(v: &Values) -> (ComplaintInput, Vec<FieldError>) {
    let mut errors = Vec::new();
    let listing_urls: Vec<String> = v
        .get("channel.listing_urls")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let channel = ChannelInput {
        kind: v.opt("channel.kind"),
        fair_name: v.opt("channel.fair_name"),
        session: v.opt("channel.session"),
        hall: v.opt("channel.hall"),
        booth: v.opt("channel.booth"),
        platform: v.opt("channel.platform"),
        shop_name: v.opt("channel.shop_name"),
        shop_id: v.opt("channel.shop_id"),
        listing_urls: (!listing_urls.is_empty()).then_some(listing_urls),
        port: v.opt("channel.port"),
        declaration_number: v.opt("channel.declaration_number"),
        waybill_number: v.opt("channel.waybill_number"),
        direction: v.opt("channel.direction"),
        note: v.opt("channel.note"),
        ..Default::default()
    };
    let nice_classes = v.opt("rights[0].nice_classes").map(|s| {
        s.split([',', '，', ' ', '、'])
            .filter(|c| !c.is_empty())
            .filter_map(|c| match c.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FieldError {
                        path: "rights[0].nice_classes".into(),
                        code: "number_format",
                        message_zh: "类别应为1至45的数字，用逗号分隔".into(),
                        message_en: "classes are numbers 1-45 separated by commas".into(),
                    });
                    None
                }
            })
            .collect()
    });
    let right = RightInput {
        kind: v.opt("rights[0].kind"),
        number: v.opt("rights[0].number"),
        title: v.opt("rights[0].title"),
        holder: v.opt("rights[0].holder"),
        nice_classes,
        ..Default::default()
    };
    let has_right = right.kind.is_some() || right.number.is_some();
    let input = ComplaintInput {
        channel: Some(channel),
        complainant: Some(PartyInput {
            kind: v.opt("complainant.kind"),
            name: v.opt("complainant.name"),
            uscc: v.opt("complainant.uscc"),
            mobile: v.opt("complainant.mobile"),
            email: v.opt("complainant.email"),
            address: v.opt("complainant.address"),
        }),
        agent: v.has_agent().then(|| AgentInput {
            name: v.opt("agent.name"),
            uscc: v.opt("agent.uscc"),
            mobile: v.opt("agent.mobile"),
            email: v.opt("agent.email"),
            power_of_attorney_ref: v.opt("agent.power_of_attorney_ref"),
        }),
        rights: has_right.then(|| vec![right]),
        respondent: Some(RespondentInput {
            name: v.opt("respondent.name"),
            uscc: v.opt("respondent.uscc"),
            booth: v.opt("respondent.booth"),
            shop_id: v.opt("respondent.shop_id"),
            seller_id: v.opt("respondent.seller_id"),
            address: v.opt("respondent.address"),
        }),
        description: v.opt("description"),
        goods: v.opt("goods"),
        amounts: amounts_input(v, &mut errors),
        facts: None,
        requested_measures: Some(
            v.all("requested_measures")
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>(),
        )
        .filter(|m| !m.is_empty()),
    };
    (input, errors)
}

/// The amounts typed (`amounts.*`), if any; a value that is not an amount is named.
fn amounts_input(v: &Values, errors: &mut Vec<FieldError>) -> Option<AmountsInput> {
    let mut a = AmountsInput::default();
    for name in YUAN {
        let path = format!("amounts.{name}");
        let value = match v.opt(&path).map(|t| parse_yuan(&t)) {
            None => None,
            Some(Some(y)) => Some(y),
            Some(None) => {
                errors.push(not_a_number(path, "amount"));
                None
            }
        };
        match name {
            "illegal_business_volume" => a.illegal_business_volume = value,
            "illegal_gains" => a.illegal_gains = value,
            "loss" => a.loss = value,
            "sales" => a.sales = value,
            _ => a.unsold_value = value,
        }
    }
    for name in COUNTS {
        let path = format!("amounts.{name}");
        let value = match v.opt(&path).map(|t| parse_count(&t)) {
            None => None,
            Some(Some(n)) => Some(n),
            Some(None) => {
                errors.push(not_a_number(path, "count"));
                None
            }
        };
        match name {
            "copies" => a.copies = value,
            _ => a.labels = value,
        }
    }
    let any = [
        a.illegal_business_volume,
        a.illegal_gains,
        a.loss,
        a.sales,
        a.unsold_value,
    ]
    .iter()
    .any(Option::is_some)
        || a.copies.is_some()
        || a.labels.is_some();
    any.then_some(a)
}

/// The error of a value that could not be read as an amount (`amount`) or a count (`count`).
pub fn not_a_number(path: String, code: &'static str) -> FieldError {
    match code {
        "count" => FieldError {
            path,
            code,
            message_zh: "数量应为整数，例如 1200".into(),
            message_en: "a count is a whole number, e.g. 1200".into(),
        },
        _ => FieldError {
            path,
            code,
            message_zh: "金额应为数字，单位元，最多两位小数，例如 35000 或 3.5万".into(),
            message_en: "an amount is a number of yuan with at most two decimals, e.g. 35000"
                .into(),
        },
    }
}

/// The digits as typed on a phone: full-width digits and point made ASCII, grouping commas and
/// spaces dropped.
fn ascii_number(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}' | '_'))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            c => c,
        })
        .collect()
}

/// An amount of yuan as people write it: `35000`, `35,000.50`, `３５０００`, `35000元`,
/// `3.5万` or `3.5万元` (万 = 10,000). Exact to the fen: the value is worked out in fen from the
/// digits, never through a binary fraction; more decimals than a fen, a sign or any other text
/// is `None`.
pub fn parse_yuan(text: &str) -> Option<f64> {
    let s = ascii_number(text);
    let s = s.strip_suffix('元').unwrap_or(&s);
    let (digits, scale) = match s.strip_suffix('万') {
        Some(d) => (d, 6u32),
        None => (s, 2u32),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > scale as usize {
        return None;
    }
    // fen = whole × 10^scale + frac, in units of 10^-scale … yuan; 万 scales by 10^4
    let unit: i128 = 10i128.pow(scale);
    let whole: i128 = whole
        .parse()
        .ok()
        .filter(|w: &i128| *w < 1_000_000_000_000)?;
    let frac: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i128>().ok()? * 10i128.pow(scale - frac.len() as u32)
    };
    let fen_units = whole * unit + frac; // yuan × 10^2 or 万 × 10^6, i.e. fen either way
    Some(fen_units as f64 / 100.0)
}

/// A whole number as people write it: `1200`, `1,200`, `１２００`, `1200件`/`个`/`份`.
pub fn parse_count(text: &str) -> Option<i64> {
    let s = ascii_number(text);
    let s = s.trim_end_matches(['件', '个', '份', '张', '册', '枚']);
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A file input: one per material the forum asks for, named as the API names the part.
pub struct Upload {
    pub name: String,
    pub id: String,
    pub label: String,
    pub basis: String,
    pub required: bool,
    /// Photos: the camera is offered (`capture`).
    pub photo: bool,
    pub agent_only: bool,
}

/// What to bring (一次性告知) for `channel` and `right`, as file inputs: each material the
/// forum asks for, the evidence photos first, and "other" last.
pub fn uploads(lang: Lang, channel: &str, right: Option<RightKind>) -> Vec<Upload> {
    let kind = ChannelKind::from_key(channel).unwrap_or(ChannelKind::WalkIn);
    let rights: Vec<RightKind> = right.into_iter().collect();
    let own = kuaiwei_routing::materials_asked(kind, &rights, false);
    let with_agent = kuaiwei_routing::materials_asked(kind, &rights, true);
    let mut out = vec![Upload {
        name: "evidence".into(),
        id: "f-evidence".into(),
        label: lang.t("upload.photos").into(),
        basis: String::new(),
        required: true,
        photo: true,
        agent_only: false,
    }];
    for m in &with_agent {
        if m.material == MaterialKind::InfringementEvidence {
            let photos = &mut out[0];
            photos.basis = basis(lang, &m.basis);
            continue;
        }
        let key = m.material.key();
        out.push(Upload {
            name: format!("evidence.{key}"),
            id: format!("f-evidence-{key}"),
            label: match lang {
                Lang::Zh => m.zh.clone(),
                Lang::En => m.en.clone(),
            },
            basis: basis(lang, &m.basis),
            required: m.required,
            photo: false,
            agent_only: !own.iter().any(|o| o.material == m.material),
        });
    }
    out.push(Upload {
        name: "evidence.other".into(),
        id: "f-evidence-other".into(),
        label: lang.t("upload.other").into(),
        basis: String::new(),
        required: false,
        photo: false,
        agent_only: false,
    });
    out
}

/// A material's legal basis as a complainant reads it: the statutes cited, without the
/// table's notes for staff (its verification marks, its references to our own documents).
fn basis(lang: Lang, raw: &str) -> String {
    let cited: Vec<String> = raw
        .split("; ")
        .filter(|b| !b.contains(".md") && !b.starts_with("every forum"))
        .map(|b| b.replace(" ◐", "").trim().to_string())
        .collect();
    if cited.is_empty() {
        lang.t("file.basis_all").to_string()
    } else {
        cited.join("；")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fair_form_builds_the_complaint_the_api_would_take() {
        let v = Values(
            [
                ("channel.kind", "fair"),
                ("channel.fair_name", "第138届广交会"),
                ("channel.booth", "16.1K7"),
                ("complainant.kind", "organisation"),
                ("complainant.name", "耐克创新有限合伙公司"),
                ("complainant.mobile", "13812345678"),
                ("rights[0].kind", "trademark"),
                ("rights[0].number", "1234567"),
                ("respondent.name", "某某鞋业有限公司"),
                ("description", "展出的运动鞋使用了相同的标识"),
                ("requested_measures", "withdraw_exhibits"),
                ("channel.platform", ""),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .to_vec(),
        );
        let (input, errors) = complaint_input(&v);
        assert!(errors.is_empty());
        let c = input.validate().expect("valid");
        assert_eq!(c.rights[0].kind, RightKind::Trademark);
    }

    #[test]
    fn an_error_is_shown_beside_the_field_its_path_names() {
        let errors = vec![FieldError {
            path: "channel.booth".into(),
            code: "required",
            message_zh: "此项为必填项".into(),
            message_en: "this field is required".into(),
        }];
        let v = Values(vec![("channel.kind".into(), "fair".into())]);
        let g = groups(Lang::En, "fair", &v, &errors);
        let booth = g[0]
            .fields
            .iter()
            .find(|f| f.name == "channel.booth")
            .unwrap();
        assert_eq!(booth.error.as_deref(), Some("this field is required"));
        assert_eq!(booth.id, "f-channel-booth");
        let p = problems(Lang::En, &g, &errors);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].href, "#f-channel-booth");
    }

    /// Labels, hints and options are looked up by keys made at run time: every one of them,
    /// for every channel and right, in both languages, is in the catalogue.
    #[test]
    fn every_label_of_every_channels_form_is_in_both_catalogues() {
        for lang in [Lang::Zh, Lang::En] {
            for channel in CHANNELS {
                let v = Values(vec![("channel.kind".into(), channel.into())]);
                for g in groups(lang, channel, &v, &[]) {
                    let mut texts = vec![g.legend, g.hint];
                    for f in &g.fields {
                        texts.extend([f.label, f.hint]);
                        texts.extend(f.options.iter().map(|o| o.label));
                    }
                    for t in texts {
                        assert!(
                            !["field.", "hint.", "group.", "option."]
                                .iter()
                                .any(|p| t.starts_with(p)),
                            "{channel}: {t} is not in the catalogue"
                        );
                    }
                }
                for (_, right) in RIGHTS {
                    let ups = uploads(lang, channel, Some(right));
                    assert!(ups.iter().all(|u| !u.label.starts_with("upload.")));
                    assert!(ups.iter().any(|u| u.name == "evidence" && u.photo));
                }
            }
        }
    }
}

#[cfg(test)]
mod amount_tests {
    use super::{parse_count, parse_yuan};

    #[test]
    fn amounts_are_read_as_people_write_them_and_exactly_to_the_fen() {
        for (typed, yuan) in [
            ("35000", 35_000.0),
            ("35,000.50", 35_000.5),
            ("３５０００", 35_000.0),
            ("35000元", 35_000.0),
            ("3.5万", 35_000.0),
            ("3.5万元", 35_000.0),
            ("1.2345万", 12_345.0),
            ("0.000001万", 0.01),
            (" 12 000 ", 12_000.0),
            ("0.07", 0.07),
        ] {
            assert_eq!(parse_yuan(typed), Some(yuan), "{typed}");
        }
        for bad in [
            "",
            "abc",
            "-5",
            "1.234",
            "1.0000001万",
            "万",
            "3万5千",
            "1e5",
            "1,2.3.4",
        ] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
    }

    #[test]
    fn counts_are_whole_numbers_with_or_without_their_unit() {
        assert_eq!(parse_count("1,200"), Some(1200));
        assert_eq!(parse_count("１２００件"), Some(1200));
        assert_eq!(parse_count("36个"), Some(36));
        for bad in ["", "1.5", "-3", "三十", "件"] {
            assert_eq!(parse_count(bad), None, "{bad}");
        }
    }
}
