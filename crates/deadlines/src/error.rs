//! Errors, each message in zh-CN and en as separate texts ([`Bilingual`]): a page or an API
//! answer shows the reader's language; `Display` joins both ("中文 / english") for logs.
//! English is lowercase and without a final period.

/// A message in both languages, each text whole: never split one string on " / ".
pub trait Bilingual {
    fn zh(&self) -> String;
    fn en(&self) -> String;
}

use crate::procedure::ExclusionKind;
use crate::unit::{Amount, Unit};

/// A bad value in a data file (calendar year or procedures), located by line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} / {}", Bilingual::zh(self), Bilingual::en(self))]
pub struct DataError {
    /// 1-based line number in the file.
    pub line: usize,
    /// The offending text as written.
    pub text: String,
    pub issue: Issue,
}

impl Bilingual for DataError {
    fn zh(&self) -> String {
        format!("第 {} 行 `{}`：{}", self.line, self.text, self.issue.zh())
    }
    fn en(&self) -> String {
        format!("line {} `{}`: {}", self.line, self.text, self.issue.en())
    }
}

/// What is wrong with a value in a data file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Issue {
    /// TOML syntax, an unknown or missing field, a wrong type (the parser's message).
    Syntax(String),
    MalformedDate,
    DuplicateDate,
    RestAndWork,
    OutsideYear {
        year: i16,
    },
    WorkNotWeekend,
    YearOutOfRange,
    Empty,
    DuplicateId,
    BadMark,
    ZeroAmount,
    DuplicateKind,
    BadTriggerKey,
    ExtensionNeedsAmount,
    CollectiveWithAmount,
    ExtensionUnitDiffers {
        limit: Unit,
    },
    ZeroCount,
    /// An `excluded_cap` in a unit other than working days.
    BadCapUnit,
}

impl Issue {
    pub fn zh(&self) -> String {
        match self {
            Issue::Syntax(m) => format!("格式错误（{m}）"),
            Issue::MalformedDate => {
                "日期格式错误，应为 YYYY-MM-DD 或 YYYY-MM-DD..=YYYY-MM-DD".into()
            }
            Issue::DuplicateDate => "日期重复列出".into(),
            Issue::RestAndWork => "同一日期同时列为休息日和上班日".into(),
            Issue::OutsideYear { year } => format!("日期不在本文件年份 {year} 内"),
            Issue::WorkNotWeekend => "调休上班日必须是周六或周日".into(),
            Issue::YearOutOfRange => "年份超出范围（1950–2200）".into(),
            Issue::Empty => "不能为空".into(),
            Issue::DuplicateId => "程序编号重复".into(),
            Issue::BadMark => "核实标记应为 ✅、◐ 或 ❌".into(),
            Issue::ZeroAmount => "期限数值必须大于 0".into(),
            Issue::DuplicateKind => "不计入期间类型重复".into(),
            Issue::BadTriggerKey => "起算事件键只能由小写字母和下划线组成".into(),
            Issue::ExtensionNeedsAmount => "固定延长须写明 max_count、amount 和 unit".into(),
            Issue::CollectiveWithAmount => "集体讨论延长不能预设 amount 或 unit".into(),
            Issue::ExtensionUnitDiffers { limit } => {
                format!("延长的单位须与期限单位（{}）一致", limit.zh())
            }
            Issue::ZeroCount => "max_count 必须大于 0".into(),
            Issue::BadCapUnit => "excluded_cap 的单位须为 working_days".into(),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Issue::Syntax(m) => format!("invalid toml ({m})"),
            Issue::MalformedDate => {
                "malformed date, expected YYYY-MM-DD or YYYY-MM-DD..=YYYY-MM-DD".into()
            }
            Issue::DuplicateDate => "date listed twice".into(),
            Issue::RestAndWork => "date listed as both rest and work".into(),
            Issue::OutsideYear { year } => format!("date outside the file's year {year}"),
            Issue::WorkNotWeekend => "an adjusted working day must be a saturday or sunday".into(),
            Issue::YearOutOfRange => "year out of range (1950-2200)".into(),
            Issue::Empty => "must not be empty".into(),
            Issue::DuplicateId => "procedure id listed twice".into(),
            Issue::BadMark => "verification mark must be ✅, ◐ or ❌".into(),
            Issue::ZeroAmount => "amount must be greater than 0".into(),
            Issue::DuplicateKind => "excluded period kind listed twice".into(),
            Issue::BadTriggerKey => "trigger key must be lowercase letters and underscores".into(),
            Issue::ExtensionNeedsAmount => {
                "a fixed extension needs max_count, amount and unit".into()
            }
            Issue::CollectiveWithAmount => {
                "a collective extension cannot preset amount or unit".into()
            }
            Issue::ExtensionUnitDiffers { limit } => {
                format!(
                    "the extension unit must equal the limit unit ({})",
                    limit.en()
                )
            }
            Issue::ZeroCount => "max_count must be greater than 0".into(),
            Issue::BadCapUnit => "excluded_cap must be in working_days".into(),
        }
    }
}

/// Errors of the working-day calendar.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} / {}", Bilingual::zh(self), Bilingual::en(self))]
pub enum CalendarError {
    /// The computation touched a date in a year whose holiday schedule is not loaded.
    YearNotLoaded {
        year: i16,
    },
    Invalid(#[from] DataError),
    OutOfRange,
}

impl Bilingual for CalendarError {
    fn zh(&self) -> String {
        match self {
            CalendarError::YearNotLoaded { year } => {
                format!("{year} 年的节假日安排尚未加载，不作推测")
            }
            CalendarError::Invalid(e) => e.zh(),
            CalendarError::OutOfRange => "日期超出可计算范围".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            CalendarError::YearNotLoaded { year } => {
                format!("the holiday schedule for {year} is not loaded; not guessing")
            }
            CalendarError::Invalid(e) => e.en(),
            CalendarError::OutOfRange => "date out of range".into(),
        }
    }
}

/// Errors of the procedures file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProcedureError {
    #[error(transparent)]
    Invalid(#[from] DataError),
}

impl Bilingual for ProcedureError {
    fn zh(&self) -> String {
        let ProcedureError::Invalid(e) = self;
        e.zh()
    }
    fn en(&self) -> String {
        let ProcedureError::Invalid(e) = self;
        e.en()
    }
}

/// Errors of the case clock.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} / {}", Bilingual::zh(self), Bilingual::en(self))]
pub enum ClockError {
    Calendar(#[from] CalendarError),
    NoExtensionAllowed {
        procedure: String,
    },
    TooManyExtensions {
        procedure: String,
    },
    NoSuchExtensionRule {
        procedure: String,
        index: usize,
    },
    ExtensionTooLong {
        procedure: String,
        asked: Amount,
        max: Amount,
    },
    ExtensionUnit {
        procedure: String,
        expected: Unit,
        got: Unit,
    },
    CollectiveNeedsAmount {
        procedure: String,
    },
    ExclusionNotAllowed {
        procedure: String,
        kind: ExclusionKind,
    },
    ExclusionReversed {
        kind: ExclusionKind,
    },
    ClosedBeforeStart,
    OutOfRange,
}

impl Bilingual for ClockError {
    fn zh(&self) -> String {
        use ClockError as E;
        match self {
            E::Calendar(e) => e.zh(),
            E::NoExtensionAllowed { procedure } => format!("程序 {procedure} 不允许延长"),
            E::TooManyExtensions { procedure } => {
                format!("程序 {procedure} 的延长次数超过法定上限")
            }
            E::NoSuchExtensionRule { procedure, index } => {
                format!("程序 {procedure} 没有第 {index} 项延长规则")
            }
            E::ExtensionTooLong {
                procedure,
                asked,
                max,
            } => format!(
                "延长 {} 超过程序 {procedure} 允许的 {}",
                asked.zh(),
                max.zh()
            ),
            E::ExtensionUnit {
                procedure,
                expected,
                got,
            } => format!(
                "延长单位 {} 与程序 {procedure} 的期限单位 {} 不一致",
                got.zh(),
                expected.zh()
            ),
            E::CollectiveNeedsAmount { .. } => "集体讨论决定的延长须写明期间".into(),
            E::ExclusionNotAllowed { procedure, kind } => {
                format!("程序 {procedure} 不因“{}”停止计算", kind.zh())
            }
            E::ExclusionReversed { kind } => {
                format!("不计入期间“{}”的结束早于开始", kind.zh())
            }
            E::ClosedBeforeStart => "结案时间早于起算时间".into(),
            E::OutOfRange => "期限超出可计算范围".into(),
        }
    }

    fn en(&self) -> String {
        use ClockError as E;
        match self {
            E::Calendar(e) => e.en(),
            E::NoExtensionAllowed { procedure } => {
                format!("procedure {procedure} allows no extension")
            }
            E::TooManyExtensions { procedure } => {
                format!("more extensions than procedure {procedure} allows")
            }
            E::NoSuchExtensionRule { procedure, index } => {
                format!("procedure {procedure} has no extension rule {index}")
            }
            E::ExtensionTooLong {
                procedure,
                asked,
                max,
            } => format!(
                "extension of {} exceeds the {} procedure {procedure} allows",
                asked.en(),
                max.en()
            ),
            E::ExtensionUnit {
                procedure,
                expected,
                got,
            } => format!(
                "extension unit {} differs from the {} limit of procedure {procedure}",
                got.en(),
                expected.en()
            ),
            E::CollectiveNeedsAmount { procedure } => {
                format!("a collective extension must state its length (procedure {procedure})")
            }
            E::ExclusionNotAllowed { procedure, kind } => {
                format!("procedure {procedure} is not stopped by {}", kind.key())
            }
            E::ExclusionReversed { kind } => {
                format!("excluded period {} ends before it starts", kind.key())
            }
            E::ClosedBeforeStart => "closed before the clock started".into(),
            E::OutOfRange => "due date out of range".into(),
        }
    }
}

impl ClockError {
    /// The year whose holiday schedule is missing, if that is why the clock could not be computed:
    /// a store keeps such clocks aside and recomputes them when that year is loaded.
    pub fn missing_year(&self) -> Option<i16> {
        match self {
            ClockError::Calendar(CalendarError::YearNotLoaded { year }) => Some(*year),
            _ => None,
        }
    }
}
