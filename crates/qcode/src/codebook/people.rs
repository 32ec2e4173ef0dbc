//! Who the codebook's speakers are: aliases and roles.
//!
//! Documents of one study name the same person or role differently:
//! `Entrevistadora:` in one, `E:` in another, `Interviewer 1` in a Zoom
//! export. The codebook's `speakers:` gives each person one name and lists
//! the labels that stand for them; `roles:` groups people
//! (`interviewer`, `migrant`), for `--by role` and for speaker scopes:
//!
//! ```yaml
//! speakers:
//!   Interviewer: [Entrevistadora, Entrevistador, E, "Interviewer 1"]
//!   Don Efraín: [Efraín, "Don Efrain"]
//! roles:
//!   interviewer: [Interviewer, "Moderador*"]
//!   migrant: ["P*", "R*", Don Efraín]
//! ```
//!
//! Names are compared without case and may hold `*` wildcards, like
//! `skip_speakers`. A label is read as the first speaker (in codebook
//! order) whose name or aliases match it, and a speaker has the first role
//! that lists them; `skip_speakers` and `speakers` may name a speaker, an
//! alias or a role.

use std::sync::Arc;

use super::rules::SpeakerSet;

/// The codebook's speakers and roles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People {
    /// Each speaker's name and what stands for it: the name and its aliases,
    /// lower-cased.
    speakers: Vec<(Arc<str>, SpeakerSet)>,
    /// Each role's name and its members (speakers' names or patterns,
    /// lower-cased).
    roles: Vec<(String, SpeakerSet)>,
}

impl People {
    /// People of `speakers` (name, aliases as written) and `roles` (name,
    /// members as written, aliases already read as names).
    pub(super) fn new(speakers: Vec<(String, Vec<String>)>, roles: Vec<(String, Vec<String>)>) -> People {
        let lower = |names: Vec<String>| SpeakerSet::new(names.into_iter().map(|n| n.to_lowercase()).collect());
        People {
            speakers: speakers
                .into_iter()
                .map(|(name, mut aliases)| {
                    aliases.insert(0, name.clone());
                    (Arc::from(name.as_str()), lower(aliases))
                })
                .collect(),
            roles: roles
                .into_iter()
                .map(|(role, members)| (role, lower(members)))
                .collect(),
        }
    }

    /// Whether the codebook names no speakers (labels are taken as written).
    pub fn has_aliases(&self) -> bool {
        !self.speakers.is_empty()
    }

    /// Whether the codebook gives roles.
    pub fn has_roles(&self) -> bool {
        !self.roles.is_empty()
    }

    /// The speaker a label stands for, when the codebook names one.
    pub fn speaker_of(&self, label: &str) -> Option<&Arc<str>> {
        self.speakers
            .iter()
            .find(|(_, names)| names.contains(label))
            .map(|(name, _)| name)
    }

    /// The name a label is counted under: the codebook's speaker, else the
    /// label as written.
    pub fn name_of<'a>(&'a self, label: &'a str) -> &'a str {
        self.speaker_of(label).map_or(label, |n| n)
    }

    /// The role of a speaker (or of the speaker a label stands for), if the
    /// codebook gives one.
    pub fn role_of(&self, speaker: &str) -> Option<&str> {
        let name = self.name_of(speaker);
        self.roles
            .iter()
            .find(|(_, members)| members.contains(name))
            .map(|(role, _)| role.as_str())
    }

    /// The roles, in codebook order.
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.roles.iter().map(|(role, _)| role.as_str())
    }

    /// A scope's entry (`skip_speakers`, `speakers`), lower-cased, as the
    /// patterns it stands for: a role's members, an alias's speaker, or
    /// itself.
    pub(super) fn scope_patterns(&self, entry: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some((_, members)) = self.roles.iter().find(|(role, _)| role.to_lowercase() == entry) {
            out.extend(members.patterns.iter().cloned());
        }
        match self.speaker_of(entry) {
            Some(name) if !entry.contains('*') => out.push(name.to_lowercase()),
            _ => out.push(entry.to_string()),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> People {
        People::new(
            vec![
                (
                    "Interviewer".into(),
                    vec!["Entrevistador*".into(), "E".into(), "Interviewer 1".into()],
                ),
                ("Don Efraín".into(), vec!["Efraín".into()]),
            ],
            vec![
                ("interviewer".into(), vec!["Interviewer".into(), "Moderador*".into()]),
                ("migrant".into(), vec!["P*".into(), "Don Efraín".into()]),
            ],
        )
    }

    #[test]
    fn labels_are_read_as_the_codebook_s_speakers() {
        let p = people();
        assert_eq!(p.speaker_of("ENTREVISTADORA").map(|n| &**n), Some("Interviewer"));
        assert_eq!(p.speaker_of("e").map(|n| &**n), Some("Interviewer"));
        assert_eq!(p.speaker_of("interviewer 1").map(|n| &**n), Some("Interviewer"));
        assert_eq!(p.name_of("EFRAÍN"), "Don Efraín");
        assert_eq!(p.name_of("P03"), "P03");
    }

    #[test]
    fn speakers_have_roles() {
        let p = people();
        assert_eq!(p.role_of("Entrevistadora"), Some("interviewer"));
        assert_eq!(p.role_of("Moderadora"), Some("interviewer"));
        assert_eq!(p.role_of("P03"), Some("migrant"));
        assert_eq!(p.role_of("Efraín"), Some("migrant"));
        assert_eq!(p.role_of("R1"), None);
        assert_eq!(p.roles().collect::<Vec<_>>(), ["interviewer", "migrant"]);
    }

    #[test]
    fn scopes_may_name_roles_and_aliases() {
        let p = people();
        assert_eq!(
            p.scope_patterns("interviewer"),
            ["interviewer", "moderador*", "interviewer"]
        );
        assert_eq!(p.scope_patterns("e"), ["interviewer"]);
        assert_eq!(p.scope_patterns("r*"), ["r*"]);
    }
}
