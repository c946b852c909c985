//! Errors, each message in zh-CN and en ("中文 / english"), lowercase and without a final period.

/// A bad value in a rules file, located by its 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("第 {line} 行 `{text}`：{zh} / line {line} `{text}`: {en}", zh = issue.zh(), en = issue.en())]
pub struct RulesError {
    pub line: usize,
    /// The offending text as written (at most 80 characters).
    pub text: String,
    pub issue: Issue,
}

/// What is wrong with a value in a rules file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Issue {
    /// TOML syntax, an unknown or missing key, a wrong type (the parser's message).
    Syntax(String),
    Empty,
    BadId,
    DuplicateRuleId,
    DuplicateThresholdId,
    UnknownAgency,
    UnknownProcedure,
    UnknownRightKind,
    UnknownChannel,
    UnknownBorder,
    UnknownThreshold,
    UnknownTierCondition,
    DuplicateEntry,
    EmptyList,
    EmptyMatch,
    AlwaysWithConditions,
    MissingOutcome,
    ManualWithAgency,
    MalformedDate,
    DuplicateEffectiveDate,
    VersionsOutOfOrder,
    BadMark,
    NoVersions,
    NoTiers,
    NoFigures,
    AmountOutOfRange,
    UnknownSupply,
    UnknownGiForm,
    AlsoPoliceWithoutAgency,
}

impl Issue {
    pub fn zh(&self) -> String {
        match self {
            Issue::Syntax(m) => return format!("格式错误（{m}）"),
            Issue::Empty => "不能为空",
            Issue::BadId => "编号只能由小写字母、数字和下划线组成",
            Issue::DuplicateRuleId => "规则编号重复",
            Issue::DuplicateThresholdId => "追诉标准编号重复",
            Issue::UnknownAgency => {
                "未知的主管部门（应为 ip_office、market_regulation、copyright、customs 或 police）"
            }
            Issue::UnknownProcedure => "未知的程序编号（程序文件中没有）",
            Issue::UnknownRightKind => "未知的权利类型",
            Issue::UnknownChannel => "未知的投诉渠道",
            Issue::UnknownBorder => "进出口方向应为 import、export 或 any",
            Issue::UnknownThreshold => "未知的追诉标准编号（本文件 [[threshold]] 中没有）",
            Issue::UnknownTierCondition => "档位条件应为 any、multiple_rights 或 prior_penalty",
            Issue::DuplicateEntry => "列表项重复",
            Issue::EmptyList => "列表为空，规则永远不会匹配",
            Issue::EmptyMatch => "规则没有任何匹配条件（兜底规则请写 always = true）",
            Issue::AlwaysWithConditions => "always = true 不能与其他条件同时使用",
            Issue::MissingOutcome => "规则须写明 agency 和 procedures，或 manual_triage = true",
            Issue::ManualWithAgency => "manual_triage 规则不能指定 agency、procedures 或移送",
            Issue::MalformedDate => "日期格式错误，应为 YYYY-MM-DD",
            Issue::DuplicateEffectiveDate => "同一生效日期的版本重复",
            Issue::VersionsOutOfOrder => "版本须按生效日期先后排列",
            Issue::BadMark => "核实标记应为 ✅、◐ 或 ❌",
            Issue::NoVersions => "追诉标准至少要有一个版本",
            Issue::NoTiers => "版本至少要有一个档位",
            Issue::NoFigures => "档位至少要有一个数额",
            Issue::AmountOutOfRange => "数额须大于 0 且在可计算范围内（单位：分）",
            Issue::UnknownSupply => "应为 goods（商品）或 services（服务）",
            Issue::UnknownGiForm => {
                "地理标志保护方式应为 collective_mark、certification_mark 或 product_protection"
            }
            Issue::AlsoPoliceWithoutAgency => "also_police 只能用于指定主管部门的非移送规则",
        }
        .into()
    }

    pub fn en(&self) -> String {
        match self {
            Issue::Syntax(m) => return format!("invalid toml ({m})"),
            Issue::Empty => "must not be empty",
            Issue::BadId => "an id must be lowercase letters, digits and underscores",
            Issue::DuplicateRuleId => "rule id listed twice",
            Issue::DuplicateThresholdId => "threshold id listed twice",
            Issue::UnknownAgency => {
                "unknown agency (expected ip_office, market_regulation, copyright, customs or police)"
            }
            Issue::UnknownProcedure => "unknown procedure id (not in the procedures file)",
            Issue::UnknownRightKind => "unknown right kind",
            Issue::UnknownChannel => "unknown channel",
            Issue::UnknownBorder => "border must be import, export or any",
            Issue::UnknownThreshold => "unknown threshold id (no such [[threshold]] in this file)",
            Issue::UnknownTierCondition => {
                "tier condition must be any, multiple_rights or prior_penalty"
            }
            Issue::DuplicateEntry => "entry listed twice",
            Issue::EmptyList => "empty list: the rule could never match",
            Issue::EmptyMatch => "the rule has no condition (write always = true for a catch-all)",
            Issue::AlwaysWithConditions => "always = true cannot be combined with other conditions",
            Issue::MissingOutcome => {
                "a rule needs agency and procedures, or manual_triage = true"
            }
            Issue::ManualWithAgency => {
                "a manual_triage rule cannot name an agency, procedures or a transfer"
            }
            Issue::MalformedDate => "malformed date, expected YYYY-MM-DD",
            Issue::DuplicateEffectiveDate => "two versions share an effective date",
            Issue::VersionsOutOfOrder => "versions must be listed by effective date",
            Issue::BadMark => "verification mark must be ✅, ◐ or ❌",
            Issue::NoVersions => "a threshold needs at least one version",
            Issue::NoTiers => "a version needs at least one tier",
            Issue::NoFigures => "a tier needs at least one figure",
            Issue::AmountOutOfRange => "an amount must be positive and in range (in fen)",
            Issue::UnknownSupply => "supply must be goods or services",
            Issue::UnknownGiForm => {
                "gi form must be collective_mark, certification_mark or product_protection"
            }
            Issue::AlsoPoliceWithoutAgency => {
                "also_police applies only to a rule naming an agency that is not a transfer"
            }
        }
        .into()
    }
}

/// No agency could be chosen: no rule matched, or the matching rule asks for a caseworker. The
/// clocks in `procedures` (the fair desk's F1) run all the same.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("需人工分流：{reason_zh} / manual triage needed: {reason_en}")]
pub struct NoRoute {
    /// The rule that asked for manual triage; `None` when no rule matched.
    pub rule_id: Option<String>,
    pub reason_zh: String,
    pub reason_en: String,
    pub legal_basis: String,
    pub procedures: Vec<String>,
    /// The rights this part of the complaint relies on (all of them when nothing matched).
    #[serde(default)]
    pub rights: Vec<kuaiwei_domain::RightKind>,
}
