use super::*;

const USCC_A: &str = "91350100M000100Y43";

/// A valid credit code whose body is `body17` (17 characters of the code alphabet).
fn uscc(body17: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: u32 = body17
        .bytes()
        .enumerate()
        .map(|(i, b)| ALPHABET.iter().position(|&a| a == b).unwrap() as u32 * WEIGHTS[i])
        .sum();
    let c = ALPHABET[((31 - sum % 31) % 31) as usize] as char;
    format!("{body17}{c}")
}

#[derive(Default, Clone)]
struct R {
    name: Option<&'static str>,
    uscc: Option<String>,
    booth: Option<&'static str>,
    shop: Option<&'static str>,
    seller: Option<&'static str>,
}

fn complaint(r: &R) -> Complaint {
    let mut respondent = serde_json::json!({});
    if let Some(n) = r.name {
        respondent["name"] = n.into();
    }
    if let Some(u) = &r.uscc {
        respondent["uscc"] = u.clone().into();
    }
    if let Some(s) = r.seller {
        respondent["seller_id"] = s.into();
    }
    if let Some(b) = r.booth {
        respondent["booth"] = b.into();
    }
    let channel = match (r.booth, r.shop) {
        (Some(b), _) => {
            serde_json::json!({"kind": "fair", "fair_name": "海交会", "session": "第一期", "booth": b})
        }
        (None, Some(s)) => {
            serde_json::json!({"kind": "ecommerce", "platform": "淘宝", "shop_id": s, "listing_urls": ["https://item.taobao.com/1"]})
        }
        (None, None) => {
            serde_json::json!({"kind": "ecommerce", "platform": "淘宝", "listing_urls": ["https://item.taobao.com/1"]})
        }
    };
    if r.name.is_none()
        && r.uscc.is_none()
        && r.seller.is_none()
        && r.booth.is_none()
        && r.shop.is_none()
    {
        panic!("a test complaint names its respondent somehow");
    }
    serde_json::from_value::<kuaiwei_domain::ComplaintInput>(serde_json::json!({
        "channel": channel,
        "complainant": {"kind": "person", "name": "张三", "mobile": "13812345678"},
        "rights": [{"kind": "invention_patent", "number": "ZL202310123456.6"}],
        "respondent": respondent,
        "description": "展出侵权产品"
    }))
    .unwrap()
    .validate()
    .unwrap()
}

/// Resolves the complaints one run at a time (as separate requests would be) against a store
/// held in memory; returns each complaint's final entity and every plan.
fn resolve_all(rs: &[R]) -> (Vec<Option<i64>>, Vec<RunPlan>) {
    let mut stored: Vec<(String, i64)> = Vec::new();
    let mut ids: Vec<Option<i64>> = Vec::new();
    let mut plans = Vec::new();
    let mut next = 1;
    for r in rs {
        let c = complaint(r);
        let identity = Identity::of(&c);
        let mut world = World::new(stored.clone(), [], next);
        let plan = resolve_run(std::slice::from_ref(&identity), &mut world);
        next += plan.created.len() as i64;
        for m in &plan.merges {
            for (_, e) in stored.iter_mut().filter(|(_, e)| *e == m.absorbed) {
                *e = m.survivor;
            }
            for e in ids.iter_mut().flatten().filter(|e| **e == m.absorbed) {
                *e = m.survivor;
            }
        }
        stored.extend(plan.aliases.iter().cloned());
        stored.sort();
        stored.dedup();
        // the typo pass after the filing: its proposals are shown with the filing's
        let mut plan = plan;
        if let Some(e) = plan.ids[0] {
            let mut world = World::new(stored.clone(), [], next);
            let typos = typo_run(&[(e, &identity)], &mut world);
            stored.extend(typos.aliases.iter().cloned());
            stored.sort();
            stored.dedup();
            plan.proposals.extend(typos.proposals);
        }
        ids.push(plan.ids[0]);
        plans.push(plan);
    }
    (ids, plans)
}

/// Groups of complaint indices by entity, order-free.
fn partition(ids: &[Option<i64>]) -> BTreeSet<BTreeSet<usize>> {
    let mut by: BTreeMap<i64, BTreeSet<usize>> = BTreeMap::new();
    for (i, e) in ids.iter().enumerate() {
        by.entry(e.expect("an entity")).or_default().insert(i);
    }
    by.into_values().collect()
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for at in 0..=p.len() {
            let mut q = p.clone();
            q.insert(at, n - 1);
            out.push(q);
        }
    }
    out
}

/// The partition of `rs` in every order of arrival, as sets of the original indices.
fn partitions_in_every_order(rs: &[R]) -> BTreeSet<BTreeSet<BTreeSet<usize>>> {
    permutations(rs.len())
        .into_iter()
        .map(|order| {
            let shuffled: Vec<R> = order.iter().map(|&i| rs[i].clone()).collect();
            let (ids, _) = resolve_all(&shuffled);
            partition(&ids)
                .into_iter()
                .map(|g| g.into_iter().map(|j| order[j]).collect())
                .collect()
        })
        .collect()
}

fn set(groups: &[&[usize]]) -> BTreeSet<BTreeSet<usize>> {
    groups.iter().map(|g| g.iter().copied().collect()).collect()
}

#[test]
fn the_same_trade_name_in_two_cities_with_two_credit_codes_never_joins_in_any_order() {
    let gz = uscc("91440101MA5A00012");
    let sz = uscc("91440300MA5B00023");
    let rs = [
        R {
            name: Some("广州某某鞋业有限公司"),
            uscc: Some(gz.clone()),
            booth: Some("A1"),
            ..R::default()
        },
        R {
            name: Some("深圳市某某鞋业有限公司"),
            uscc: Some(sz.clone()),
            booth: Some("B2"),
            ..R::default()
        },
        R {
            name: Some("某某鞋业有限公司"),
            uscc: Some(sz.clone()),
            ..R::default()
        },
        R {
            name: Some("某某鞋业有限责任公司"),
            uscc: Some(gz.clone()),
            shop: Some("s9"),
            ..R::default()
        },
    ];
    let all = partitions_in_every_order(&rs);
    assert_eq!(all, BTreeSet::from([set(&[&[0, 3], &[1, 2]])]), "{all:?}");
}

#[test]
fn a_name_without_its_city_that_fits_two_companies_joins_neither_and_proposes_both() {
    let rs = [
        R {
            name: Some("广州某某鞋业有限公司"),
            uscc: Some(uscc("91440101MA5A00012")),
            ..R::default()
        },
        R {
            name: Some("深圳某某鞋业有限公司"),
            uscc: Some(uscc("91440300MA5B00023")),
            ..R::default()
        },
        R {
            name: Some("某某鞋业有限公司"),
            booth: Some("C3"),
            ..R::default()
        },
    ];
    let (ids, plans) = resolve_all(&rs);
    assert_eq!(partition(&ids), set(&[&[0], &[1], &[2]]));
    let mut proposed: Vec<(ProposalKind, i64)> =
        plans[2].proposals.iter().map(|p| (p.kind, p.b)).collect();
    proposed.sort();
    assert_eq!(
        proposed,
        [
            (ProposalKind::Ambiguous, ids[0].unwrap()),
            (ProposalKind::Ambiguous, ids[1].unwrap())
        ]
    );
}

#[test]
fn the_same_trade_name_in_two_cities_without_credit_codes_does_not_join() {
    let rs = [
        R {
            name: Some("广州市某某鞋业有限公司"),
            ..R::default()
        },
        R {
            name: Some("深圳某某鞋业有限公司"),
            ..R::default()
        },
    ];
    let (ids, plans) = resolve_all(&rs);
    assert_ne!(ids[0], ids[1]);
    assert!(plans[1].proposals.is_empty(), "{:?}", plans[1].proposals);
}

#[test]
fn complaints_linked_by_any_strong_key_end_in_one_entity_whatever_the_order() {
    let rs = [
        R {
            name: Some("广州某某鞋业有限公司"),
            booth: Some("A1"),
            ..R::default()
        },
        R {
            booth: Some("B2"),
            ..R::default()
        },
        R {
            uscc: Some(USCC_A.into()),
            booth: Some("B2"),
            ..R::default()
        },
        R {
            name: Some("某某鞋业有限责任公司"),
            uscc: Some(USCC_A.into()),
            ..R::default()
        },
        R {
            name: Some("广州某某鞋业有限公司天河分公司"),
            ..R::default()
        },
    ];
    let all = partitions_in_every_order(&rs);
    assert_eq!(all, BTreeSet::from([set(&[&[0, 1, 2, 3, 4]])]), "{all:?}");
}

#[test]
fn a_complaint_linking_two_credit_codes_is_a_conflict_for_a_caseworker_not_a_join() {
    let rs = [
        R {
            name: Some("广州甲鞋业有限公司"),
            uscc: Some(USCC_A.into()),
            booth: Some("A1"),
            ..R::default()
        },
        R {
            name: Some("广州乙鞋业有限公司"),
            uscc: Some(uscc("91440300MA5B00023")),
            ..R::default()
        },
        // the name of the second at the booth of the first: both cannot be right
        R {
            name: Some("广州市乙鞋业有限公司"),
            booth: Some("A1"),
            ..R::default()
        },
    ];
    let (ids, plans) = resolve_all(&rs);
    assert!(plans[2].merges.is_empty(), "{:?}", plans[2].merges);
    assert_eq!(
        ids[2], ids[1],
        "the strongest key, the registered name, decides"
    );
    assert_ne!(ids[0], ids[1]);
    assert_eq!(plans[2].proposals.len(), 1, "{:?}", plans[2].proposals);
    let p = &plans[2].proposals[0];
    assert_eq!(
        (p.kind, p.a, p.b),
        (ProposalKind::Conflict, ids[1].unwrap(), ids[0].unwrap())
    );
    assert_eq!(p.detail, "different_credit_codes");
}

#[test]
fn one_platforms_different_sellers_under_different_names_never_join() {
    let rs = [
        R {
            name: Some("甲服饰店"),
            shop: Some("s1"),
            seller: Some("u1"),
            ..R::default()
        },
        R {
            name: Some("乙服饰店"),
            shop: Some("s1"),
            seller: Some("u2"),
            ..R::default()
        },
        R {
            name: Some("甲服饰店"),
            shop: Some("s7"),
            seller: Some("u3"),
            ..R::default()
        },
    ];
    let (ids, plans) = resolve_all(&rs);
    assert_ne!(ids[0], ids[1]);
    assert_eq!(plans[1].proposals[0].detail, "different_sellers_and_names");
    // the same name with another seller id is the same trader's second shop
    assert_eq!(ids[0], ids[2]);
}

#[test]
fn a_one_character_typo_only_proposes_a_link() {
    let rs = [
        R {
            name: Some("广州某某鞋业有限公司"),
            ..R::default()
        },
        R {
            name: Some("广州某杲鞋业有限公司"),
            ..R::default()
        },
    ];
    let (ids, plans) = resolve_all(&rs);
    assert_ne!(ids[0], ids[1]);
    assert_eq!(plans[1].proposals.len(), 1);
    assert_eq!(plans[1].proposals[0].kind, ProposalKind::Typo);
    assert_eq!(plans[1].proposals[0].b, ids[0].unwrap());
}

#[test]
fn entities_a_caseworker_kept_apart_are_not_joined_again() {
    let a = complaint(&R {
        name: Some("甲公司"),
        booth: Some("A1"),
        ..R::default()
    });
    let b = complaint(&R {
        name: Some("甲公司"),
        booth: Some("B2"),
        ..R::default()
    });
    let mut stored: Vec<(String, i64)> = Identity::of(&a)
        .recorded()
        .map(|x| (x.clone(), 1))
        .collect();
    stored.extend(Identity::of(&b).recorded().map(|x| (x.clone(), 2)));
    let c = complaint(&R {
        name: Some("甲公司"),
        booth: Some("B2"),
        ..R::default()
    });
    let mut world = World::new(stored.clone(), [(2, 1)], 3);
    let plan = resolve_run(&[Identity::of(&c)], &mut world);
    assert!(plan.merges.is_empty());
    assert_eq!(plan.ids, [Some(2)], "the booth's entity, without the other");
    let mut world = World::new(stored, [], 3);
    let plan = resolve_run(&[Identity::of(&c)], &mut world);
    assert_eq!(plan.merges.len(), 1);
}

#[test]
fn joins_inside_one_run_move_the_runs_earlier_complaints_too() {
    let rs = [
        R {
            name: Some("甲公司"),
            booth: Some("A1"),
            ..R::default()
        },
        R {
            booth: Some("B2"),
            ..R::default()
        },
        R {
            name: Some("甲公司"),
            booth: Some("B2"),
            ..R::default()
        },
    ];
    let identities: Vec<Identity> = rs.iter().map(|r| Identity::of(&complaint(r))).collect();
    let mut world = World::new([], [], 10);
    let plan = resolve_run(&identities, &mut world);
    assert_eq!(plan.ids, [Some(10), Some(10), Some(10)]);
    assert_eq!(plan.created.len(), 2);
    assert_eq!(plan.merges.len(), 1);
    assert_eq!(plan.merges[0].moved_in_run, [1]);
    assert!(
        plan.aliases.iter().all(|(_, e)| *e == 10),
        "{:?}",
        plan.aliases
    );
}

#[test]
fn the_typo_pass_loads_the_runs_entities_and_only_a_few_candidates_per_complaint() {
    use crate::respondents::{TYPO_CANDIDATES_PER_COMPLAINT, typo_entities_to_load};
    // a numbered name reaches hundreds of entities by one-character deletions
    let mut hits: Vec<(String, i64)> = (100..400)
        .map(|id| ("typo:某某12店".to_string(), id))
        .collect();
    hits.push(("typo:某某12店".into(), 7));
    let loaded = typo_entities_to_load(&[7, 500], &hits, 1);
    assert_eq!(loaded.len(), 2 + TYPO_CANDIDATES_PER_COMPLAINT);
    assert_eq!(loaded, [7, 100, 101, 102, 103, 500]);
    // a run of two complaints may load twice as many
    assert_eq!(
        typo_entities_to_load(&[7], &hits, 2).len(),
        1 + 2 * TYPO_CANDIDATES_PER_COMPLAINT
    );
}

#[test]
fn the_typo_pass_proposes_a_few_fitting_candidates_and_records_the_deletions() {
    use crate::respondents::TYPO_CANDIDATES_PER_COMPLAINT;
    let c = complaint(&R {
        name: Some("广州某某鞋业有限公司"),
        ..R::default()
    });
    let id = Identity::of(&c);
    assert!(!id.typos.is_empty() && id.typos.iter().all(|t| t.starts_with("typo:")));
    assert!(
        id.lookups().all(|a| !a.starts_with("typo:")),
        "the filing looks up no one-character variant"
    );
    let variant = id.typo_lookups[0].clone();
    // six others hold a variant; entity 3 is kept apart, entity 4 has another city
    let mut stored: Vec<(String, i64)> = (1..=6).map(|e| (variant.clone(), e)).collect();
    stored.push(("name:深圳|某某鞋业".into(), 4));
    stored.push(("name:广州|某某鞋业".into(), 50));
    let mut world = World::new(stored, [(3, 50)], 51);
    let plan = typo_run(&[(50, &id)], &mut world);
    let proposed: Vec<i64> = plan.proposals.iter().map(|p| p.b).collect();
    assert_eq!(proposed.len(), TYPO_CANDIDATES_PER_COMPLAINT);
    assert!(!proposed.contains(&3), "kept apart: {proposed:?}");
    assert!(!proposed.contains(&4), "another city: {proposed:?}");
    assert_eq!(proposed, [1, 2, 5, 6]);
    assert!(
        plan.proposals
            .iter()
            .all(|p| p.a == 50 && p.kind == ProposalKind::Typo)
    );
    assert_eq!(plan.aliases.len(), id.typos.len());
    // a second pass over the same complaint records and proposes nothing new
    let again = typo_run(&[(50, &id)], &mut world);
    assert!(again.aliases.is_empty());
}

#[test]
fn the_typo_window_stops_before_a_complaint_still_without_its_respondent() {
    let body = |name: &'static str| {
        serde_json::to_string(&complaint(&R {
            name: Some(name),
            booth: Some("A1"),
            ..R::default()
        }))
        .unwrap()
    };
    let change = |seq: i64, entity: &str, key: &str| -> Change {
        (seq, entity.into(), key.into(), "created".into())
    };
    let changes = vec![
        change(1, "complaint", "KW-2026-000001"),
        change(2, "case", "KW-2026-000001"),
        change(3, "complaint", "KW-2026-000002"),
        change(4, "complaint", "KW-2026-000003"),
        change(5, "complaint", "KW-2026-000004"),
    ];
    let mut stored: HashMap<String, (Option<i64>, String)> = HashMap::new();
    stored.insert(
        "KW-2026-000001".into(),
        (Some(7), body("厦门市甲鞋业有限公司")),
    );
    // resolved to none: passed by
    stored.insert("KW-2026-000002".into(), (Some(0), body("乙")));
    // not resolved yet: the window ends before it, though the one after it is
    stored.insert(
        "KW-2026-000003".into(),
        (None, body("厦门市丙鞋业有限公司")),
    );
    stored.insert(
        "KW-2026-000004".into(),
        (Some(9), body("厦门市丁鞋业有限公司")),
    );
    let (taken, filed) = typo_window(&changes, &stored).unwrap().unwrap();
    assert_eq!(taken, 3);
    let got: Vec<(&str, i64)> = filed.iter().map(|(n, e, _)| (n.as_str(), *e)).collect();
    assert_eq!(got, [("KW-2026-000001", 7)]);
    assert!(
        filed[0]
            .2
            .typo_lookups
            .iter()
            .any(|a| a.starts_with("typo:"))
    );
    // from the pending one on, nothing can be taken until it is resolved
    assert_eq!(typo_window(&changes[3..], &stored).unwrap(), None);
    stored.get_mut("KW-2026-000003").unwrap().0 = Some(8);
    let (taken, filed) = typo_window(&changes[3..], &stored).unwrap().unwrap();
    assert_eq!(taken, 2);
    assert_eq!(filed.len(), 2);
    // an entry of another entity is taken, and an empty run is nothing
    assert_eq!(typo_window(&changes[1..2], &stored).unwrap().unwrap().0, 1);
    assert_eq!(typo_window(&[], &stored).unwrap(), None);
}
