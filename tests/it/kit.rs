//! `pygrade kit` through the CLI: the files it writes, and the folders it refuses.

use crate::support::{pygrade, scratch_dir, text};

#[test]
fn kit_writes_a_repository_and_a_private_folder() {
    let dir = scratch_dir("kit");
    let (repo, private) = (dir.join("repo"), dir.join("private"));
    let (repo_arg, private_arg) = (repo.display().to_string(), private.display().to_string());
    let ids = ["lru_cache", "group_anagrams"];
    let mut args = vec!["kit"];
    args.extend(ids);
    args.extend(["--out", &repo_arg, "--private", &private_arg]);
    let output = pygrade(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("pygrade ci --challenges"), "{stdout}");
    for file in [
        "README.md",
        "pygrade.toml",
        ".github/workflows/pygrade.yml",
        ".gitignore",
    ] {
        assert!(repo.join(file).is_file(), "{file}");
    }
    for id in ids {
        assert!(repo.join(format!("solutions/{id}.py")).is_file());
        assert!(
            repo.join(format!(".pygrade/challenges/{id}.toml"))
                .is_file()
        );
        assert!(private.join(format!("{id}.toml")).is_file());
    }
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    assert!(readme.contains("hidden tests") && readme.contains("example_basic"));
}

#[test]
fn kit_refuses_private_inside_out_and_a_used_out() {
    let dir = scratch_dir("kit-refuse");
    let repo = dir.join("repo").display().to_string();
    let inside = dir.join("repo/x").display().to_string();
    let output = pygrade(&["kit", "lru_cache", "--out", &repo, "--private", &inside]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("inside `--out"),
        "{}",
        text(&output.stderr)
    );
    assert!(!dir.join("repo").exists(), "nothing written when refused");

    let output = pygrade(&["kit", "lru_cache", "--out", &repo]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let output = pygrade(&["kit", "group_anagrams", "--out", &repo]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("not empty"),
        "{}",
        text(&output.stderr)
    );
}
