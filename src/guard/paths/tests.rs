use std::path::{Path, PathBuf};

use super::*;
use crate::guard::rules::Rules;

fn place() -> Place {
    Place {
        cwd: PathBuf::from("/srv/shop/src"),
        repository: Some(PathBuf::from("/srv/shop")),
        home: Some(PathBuf::from("/home/dev")),
    }
}

fn word(text: &str, dynamic: bool) -> Word {
    Word {
        text: text.into(),
        dynamic,
        glob: false,
    }
}

#[test]
fn words_resolve_as_the_shell_would() {
    let p = place();
    let r = |t: &str| resolve(&word(t, t.contains('$')), &p);
    assert_eq!(r("../x/./y"), Some(PathBuf::from("/srv/shop/x/y")));
    assert_eq!(r("~"), Some(PathBuf::from("/home/dev")));
    assert_eq!(r("~/a"), Some(PathBuf::from("/home/dev/a")));
    assert_eq!(r("$HOME/a/.."), Some(PathBuf::from("/home/dev")));
    assert_eq!(r("${HOME}/b"), Some(PathBuf::from("/home/dev/b")));
    assert_eq!(r("/../../etc"), Some(PathBuf::from("/etc")));
    assert_eq!(r("$DIR/x"), None);
    assert_eq!(r("$HOME/$X"), None);
    assert_eq!(r("~other/x"), None);
}

#[test]
fn places_are_classified() {
    let rules = Rules::embedded().unwrap();
    let p = place();
    let of = |path: &str| rules.paths.of_path(Path::new(path), &p);
    assert_eq!(of("/srv/shop/src/main.rs"), []);
    assert_eq!(
        of("/"),
        [PathClass::OutsideRepository, PathClass::RootOrHome]
    );
    assert_eq!(
        of("/home/dev"),
        [PathClass::OutsideRepository, PathClass::RootOrHome]
    );
    assert_eq!(of("/srv/shop/.git/hooks/pre-push"), [PathClass::GitDir]);
    assert_eq!(
        of("/home/dev/.ssh/id_ed25519"),
        [PathClass::OutsideRepository, PathClass::PrivateKey]
    );
    assert_eq!(
        of("/home/dev/.ssh/id_ed25519.pub"),
        [PathClass::OutsideRepository]
    );
    assert_eq!(
        of("/home/dev/.aws/credentials"),
        [PathClass::OutsideRepository, PathClass::Credentials]
    );
    assert_eq!(of("/srv/shop/.env.production"), [PathClass::EnvFile]);
    assert_eq!(of("/srv/shop/.env.example"), []);
    assert_eq!(
        of("/etc/hosts"),
        [PathClass::OutsideRepository, PathClass::System]
    );
    assert_eq!(of("/tmp/x"), [PathClass::Temporary]);
    assert_eq!(of("/tmp"), [PathClass::OutsideRepository]);
    assert_eq!(of("/dev/null"), []);
    assert_eq!(
        rules.paths.of_word(&word("$X", true), &p),
        [PathClass::Unknown]
    );
}

#[test]
fn a_repository_in_a_system_or_temporary_folder_is_still_the_workspace() {
    let rules = Rules::embedded().unwrap();
    let at = |repo: &str| Place {
        cwd: PathBuf::from(repo),
        repository: Some(PathBuf::from(repo)),
        home: Some(PathBuf::from("/home/dev")),
    };
    // A web app under /var, a tool under /opt: writing in them is not a system write.
    let www = at("/var/www/app");
    assert_eq!(
        rules
            .paths
            .of_path(Path::new("/var/www/app/index.php"), &www),
        []
    );
    assert_eq!(
        rules.paths.of_path(Path::new("/var/log/syslog"), &www),
        [PathClass::OutsideRepository, PathClass::System]
    );
    assert_eq!(
        rules
            .paths
            .of_path(Path::new("/opt/shop/main.rs"), &at("/opt/shop")),
        []
    );
    // A checkout in /tmp: the folders beside it are other work, not scratch space.
    let ci = at("/tmp/ci/repo");
    assert_eq!(
        rules.paths.of_path(Path::new("/tmp/ci/outside"), &ci),
        [PathClass::OutsideRepository]
    );
    assert_eq!(rules.paths.of_path(Path::new("/tmp/ci/repo/a"), &ci), []);
    // Elsewhere, /tmp stays scratch space.
    assert_eq!(
        rules.paths.of_path(Path::new("/tmp/x"), &place()),
        [PathClass::Temporary]
    );
}
