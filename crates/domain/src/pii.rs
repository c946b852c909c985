//! Masking of personal information (个人信息) for display, as 《个人信息保护法》 (PIPL) Art. 51
//! asks of a handler (去标识化 and access limited to need). Lists, searches, exports and logs show
//! the masked form; only the officer handling a case reads it in full, and each such reading is
//! an audit event (kept by the server, not here).
//!
//! The forms follow common practice in Chinese public administration: a mobile number keeps its
//! network prefix and last four digits (`138****5678`), a resident ID number its region and last
//! four (`110101********1234`), a natural person's name its first character (`张*`, `欧阳**`).

/// `13812345678` → `138****5678`; anything else of 7+ characters keeps its first 3 and last 4.
pub fn mobile(s: &str) -> String {
    keep_ends(s, 3, 4)
}

/// A resident ID number (居民身份证号码, 18 characters): region code and the last four kept.
pub fn id_number(s: &str) -> String {
    keep_ends(s, 6, 4)
}

/// A natural person's name: the first character, then one `*` per further character.
pub fn name(s: &str) -> String {
    let s = s.trim();
    let mut chars = s.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => std::iter::once(first)
            .chain(chars.map(|c| if c.is_whitespace() { c } else { '*' }))
            .collect(),
    }
}

/// `zhang.san@example.com` → `z***@example.com`.
pub fn email(s: &str) -> String {
    match s.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => keep_ends(s, 1, 0),
    }
}

/// A street address: the first six characters (province and city), then `****`.
pub fn address(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= 6 {
        return "****".into();
    }
    let head: String = s.chars().take(6).collect();
    format!("{head}****")
}

/// Free text (a description, a note) with every mobile number and every valid resident ID
/// number in it masked. Other numbers (patent, trademark, booth, USCC, amounts) are left alone:
/// a run of digits is a mobile only if it is exactly 11 digits starting 13-19, an ID only if its
/// check character is right.
pub fn text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        // an ID number may end in X
        if i - start == 17 && i < chars.len() && matches!(chars[i], 'X' | 'x') {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        // a run glued to letters or dots (ZL202330123456.7, 91440300MA…) is an identifier
        let glued = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphabetic() || *c == '.');
        let isolated =
            !glued(start.checked_sub(1).and_then(|p| chars.get(p))) && !glued(chars.get(i));
        if isolated && is_mobile(&run) {
            out.push_str(&mobile(&run));
        } else if isolated && is_id_number(&run) {
            out.push_str(&id_number(&run));
        } else {
            out.push_str(&run);
        }
    }
    out
}

/// A complaint as JSON with its personal information masked: the complainant's and agent's
/// contact details (and their names when they are natural persons, i.e. without a credit code),
/// the respondent's address, and mobiles and ID numbers in every free-text field. Company
/// names, credit codes, rights, booths, shops and URLs stay: they are the case, not a person.
pub fn masked_complaint(c: &crate::Complaint) -> serde_json::Value {
    use serde_json::Value;
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    let set = |v: &mut Value, key: &str, f: &dyn Fn(&str) -> String| {
        if let Some(s) = v.get(key).and_then(Value::as_str).map(f) {
            v[key] = Value::String(s);
        }
    };
    let person = c.complainant.kind == crate::ComplainantKind::Person;
    let who = &mut v["complainant"];
    if person {
        set(who, "name", &name);
    }
    set(who, "mobile", &mobile);
    set(who, "email", &email);
    set(who, "address", &address);
    if !v["agent"].is_null() {
        let agent = &mut v["agent"];
        if c.agent.as_ref().is_some_and(|a| a.uscc.is_none()) {
            set(agent, "name", &name);
        }
        set(agent, "mobile", &mobile);
        set(agent, "email", &email);
    }
    set(&mut v["respondent"], "address", &address);
    set(&mut v, "description", &text);
    set(&mut v, "goods", &text);
    set(&mut v["channel"], "note", &text);
    v
}

fn is_mobile(run: &str) -> bool {
    let b = run.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check character.
pub fn is_id_number(run: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = run.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

fn keep_ends(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() < head + tail + 2 {
        return "*".repeat(chars.len().max(4));
    }
    let masked = chars.len() - head - tail;
    chars[..head]
        .iter()
        .chain(std::iter::repeat_n(&'*', masked))
        .chain(&chars[chars.len() - tail..])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_usual_forms() {
        assert_eq!(mobile("13812345678"), "138****5678");
        assert_eq!(id_number("11010519491231002X"), "110105********002X");
        assert_eq!(name("张三"), "张*");
        assert_eq!(name("欧阳娜娜"), "欧***");
        assert_eq!(name("Li Ming"), "L* ****");
        assert_eq!(email("zhang.san@example.com"), "z***@example.com");
        assert_eq!(
            address("广东省广州市海珠区阅江中路380号"),
            "广东省广州市****"
        );
        assert_eq!(address("广州"), "****");
        assert_eq!(mobile("12"), "****");
    }

    #[test]
    fn free_text_loses_mobiles_and_id_numbers_but_keeps_other_numbers() {
        let t = "联系人电话13812345678，身份证11010519491231002X；专利ZL202330123456.7，\
                 商标第1234567号，展位16.1K7，信用代码91440300MA5FXXXX1X，金额12000000元，\
                 座机020-89128888，订单号138123456789";
        assert_eq!(
            text(t),
            "联系人电话138****5678，身份证110105********002X；专利ZL202330123456.7，\
             商标第1234567号，展位16.1K7，信用代码91440300MA5FXXXX1X，金额12000000元，\
             座机020-89128888，订单号138123456789"
        );
        // 18 digits that fail the check are not an ID number
        assert_eq!(text("单号110105194912310021"), "单号110105194912310021");
    }

    #[test]
    fn a_complaint_keeps_the_case_and_loses_the_person() {
        let input: crate::ComplaintInput = serde_json::from_value(serde_json::json!({
            "channel": {"kind": "walk_in", "note": "本人来访，电话13912345678"},
            "complainant": {"kind": "person", "name": "张三丰", "mobile": "13812345678",
                            "email": "zhang@example.com", "address": "广东省广州市海珠区阅江中路380号"},
            "rights": [{"kind": "trademark", "number": "1234567", "nice_classes": [25]}],
            "respondent": {"name": "某某鞋业有限公司", "booth": "16.1K7", "address": "福建省泉州市晋江市某某路1号"},
            "description": "联系人身份证11010519491231002X，展位16.1K7"
        }))
        .unwrap();
        let c = input.validate().unwrap();
        let m = masked_complaint(&c);
        assert_eq!(m["complainant"]["name"], "张**");
        assert_eq!(m["complainant"]["mobile"], "138****5678");
        assert_eq!(m["complainant"]["email"], "z***@example.com");
        assert_eq!(m["complainant"]["address"], "广东省广州市****");
        assert_eq!(m["respondent"]["name"], "某某鞋业有限公司");
        assert_eq!(m["respondent"]["booth"], "16.1K7");
        assert_eq!(m["respondent"]["address"], "福建省泉州市****");
        assert_eq!(
            m["description"],
            "联系人身份证110105********002X，展位16.1K7"
        );
        assert_eq!(m["channel"]["note"], "本人来访，电话139****5678");
        assert_eq!(m["rights"][0]["number"], "1234567");
        let text = m.to_string();
        for secret in [
            "13812345678",
            "张三丰",
            "11010519491231002X",
            "阅江中路",
            "13912345678",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    proptest! {
        #[test]
        fn a_masked_mobile_never_shows_its_middle_digits(m in "1[3-9][0-9]{9}") {
            let masked = mobile(&m);
            prop_assert_eq!(&masked[..3], &m[..3]);
            prop_assert_eq!(&masked[3..7], "****");
            prop_assert_eq!(&masked[7..], &m[7..]);
            let in_text = text(&format!("请致电{m}联系"));
            prop_assert!(!in_text.contains(&m), "{}", in_text);
        }

        #[test]
        fn masking_text_changes_only_digits_and_keeps_its_length(s in "\\PC{0,60}") {
            let t = text(&s);
            prop_assert_eq!(t.chars().count(), s.chars().count());
            for (a, b) in s.chars().zip(t.chars()) {
                prop_assert!(a == b || (b == '*' && a.is_ascii_digit()));
            }
        }
    }
}
