//! The configuration's unit tests: the file, the flags and what is refused.

use super::*;

fn cli() -> Cli {
    Cli::default()
}

#[test]
fn defaults_run_one_full_screen_wall_on_the_embedded_simulator() {
    let config = Config::from_toml("", &cli()).unwrap();
    assert_eq!(config.governance, Endpoint::Embedded);
    assert_eq!(config.video, Endpoint::Embedded);
    assert_eq!(config.language, Language::ZhCn);
    assert_eq!(config.windows.len(), 1);
    assert!(config.windows[0].fullscreen);
}

#[test]
fn flags_override_the_file() {
    let text = "[ui]\nlanguage = \"zh-CN\"\n[simulator]\nspeed = 2.0\n";
    let cli = Cli {
        lang: Some("en".into()),
        sim_speed: Some(60.0),
        size: Some((1920, 1080)),
        ..cli()
    };
    let config = Config::from_toml(text, &cli).unwrap();
    assert_eq!(config.language, Language::En);
    assert_eq!(config.sim_speed, 60.0);
    assert_eq!(config.windows[0].size, Some((1920, 1080)));
}

#[test]
fn a_bad_url_names_the_key_and_the_value() {
    let err = Config::from_toml("[upstream]\ngovernance_url = \"ftp://x\"\n", &cli()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("upstream.governance_url"), "{text}");
    assert!(text.contains("ftp://x"), "{text}");
}

#[test]
fn an_unknown_key_is_an_error_not_silently_ignored() {
    let err = Config::from_toml("[ui]\nlanguag = \"en\"\n", &cli()).unwrap_err();
    assert!(err.to_string().contains("languag"), "{err}");
}

#[test]
fn several_windows_with_positions_and_layouts() {
    let text = r#"
        [[window]]
        label = "wall-left"
        monitor = 0
        [[window]]
        label = "wall-right"
        layout = "video"
        monitor = 1
        x = 0
        y = 0
        width = 3840
        height = 2160
        [[window]]
        label = "duty"
        layout = "console"
    "#;
    let config = Config::from_toml(text, &cli()).unwrap();
    assert_eq!(config.windows.len(), 3);
    assert_eq!(config.windows[1].layout, Layout::Video);
    assert_eq!(config.windows[1].size, Some((3840, 2160)));
    assert!(
        !config.windows[2].fullscreen,
        "a console is an ordinary window by default"
    );
}

#[test]
fn duplicate_window_labels_are_refused() {
    let text = "[[window]]\nlabel = \"a\"\n[[window]]\nlabel = \"a\"\n";
    assert!(
        Config::from_toml(text, &cli())
            .unwrap_err()
            .to_string()
            .contains("unique")
    );
}

#[test]
fn sizes_and_speeds_out_of_range_are_refused() {
    assert!(
        Config::from_toml(
            "",
            &Cli {
                size: Some((10, 10)),
                ..cli()
            }
        )
        .is_err()
    );
    assert!(
        Config::from_toml(
            "",
            &Cli {
                sim_speed: Some(0.0),
                ..cli()
            }
        )
        .is_err()
    );
    assert!(Config::from_toml("[log]\nfilter = \"[[[\"\n", &cli()).is_err());
}

#[test]
fn size_flag_parses_both_separators() {
    assert_eq!(parse_size("3840x2160"), Ok((3840, 2160)));
    assert_eq!(parse_size("1920×1080"), Ok((1920, 1080)));
    assert!(parse_size("1920").is_err());
}

#[test]
fn the_example_in_the_docs_is_valid() {
    let text = include_str!("../../../../docs/config.example.toml");
    let config = Config::from_toml(text, &cli()).unwrap();
    assert_eq!(config.windows.len(), 3);
    assert_eq!(config.windows[2].layout, Layout::Console);
}

#[test]
fn the_token_never_prints() {
    let config = Config::from_toml("[upstream]\ntoken = \"s3cret\"\n", &cli()).unwrap();
    assert!(!format!("{config:?}").contains("s3cret"));
    assert_eq!(config.token.unwrap().expose(), "s3cret");
}

#[test]
fn night_dimming_has_a_default_can_be_moved_and_switched_off() {
    let default = night_dimming(None, None).unwrap().unwrap();
    assert_eq!((default.from_minute, default.to_minute), (23 * 60, 6 * 60));
    let moved = night_dimming(Some("22:30-07:15"), Some(0.4))
        .unwrap()
        .unwrap();
    assert_eq!(
        (moved.from_minute, moved.to_minute, moved.dim),
        (22 * 60 + 30, 7 * 60 + 15, 0.4)
    );
    assert_eq!(night_dimming(Some("off"), None).unwrap(), None);
    for bad in ["23:00", "25:00-06:00", "06:00-06:00", "late"] {
        let err = night_dimming(Some(bad), None).unwrap_err().to_string();
        assert!(err.contains("ui.night"), "{bad}: {err}");
    }
    assert!(night_dimming(None, Some(0.95)).is_err());
}

#[test]
fn the_quiet_hour_reload_is_off_unless_a_time_is_given() {
    assert_eq!(quiet_reload(None).unwrap(), None);
    assert_eq!(quiet_reload(Some("off")).unwrap(), None);
    assert_eq!(quiet_reload(Some("04:00")).unwrap(), Some(240));
    assert_eq!(quiet_reload(Some(" 23:59 ")).unwrap(), Some(1439));
    for bad in ["4", "24:00", "04:60", "dawn"] {
        let err = quiet_reload(Some(bad)).unwrap_err().to_string();
        assert!(err.contains("ui.quiet_reload"), "{bad}: {err}");
    }
    let text = "[ui]\nquiet_reload = \"04:30\"\n";
    let file = parse_file(text, std::path::Path::new("t.toml")).unwrap();
    assert_eq!(file.ui.quiet_reload.as_deref(), Some("04:30"));
}

#[test]
fn retention_is_off_unless_set_and_a_bad_count_of_years_is_refused() {
    assert_eq!(
        Config::from_toml("", &cli()).unwrap().keep_revisions_years,
        None
    );
    let config = Config::from_toml("[store]\nkeep_revisions_years = 3\n", &cli()).unwrap();
    assert_eq!(config.keep_revisions_years, Some(3));
    let err = Config::from_toml("[store]\nkeep_revisions_years = 0\n", &cli()).unwrap_err();
    assert!(
        err.to_string().contains("store.keep_revisions_years"),
        "{err}"
    );
}

#[test]
fn the_embedded_simulator_can_be_hostile_and_nothing_else() {
    assert!(!Config::from_toml("", &cli()).unwrap().sim_hostile);
    let config = Config::from_toml("[simulator]\nprofile = \"hostile\"\n", &cli()).unwrap();
    assert!(config.sim_hostile);
    let err = Config::from_toml("[simulator]\nprofile = \"mean\"\n", &cli()).unwrap_err();
    assert!(err.to_string().contains("simulator.profile"), "{err}");
}
