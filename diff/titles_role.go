package diff

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// roleGrade grades the evidence that a word can head a job title. The head
// list is one piece of evidence; the shape of an agent noun (teacher,
// striker, guitarist, technician) is another. Neither decides alone: the
// callers accept a title only in a position the sentence structure gives
// one (before a name, in apposition, after a possessive, after "is the").
type roleGrade int

const (
	roleNone   roleGrade = iota
	roleShape            // shaped like an agent noun, or a short capital abbreviation
	roleListed           // on the head list
)

// agentSuffixes are English derivational endings of nouns naming a person by
// what they do. Longer endings first; min is the shortest word accepted.
var agentSuffixes = []struct {
	suf string
	min int
}{
	{"woman", 7}, {"person", 9}, {"man", 6}, {"eer", 7}, {"ist", 6}, {"yst", 6},
	{"ian", 6}, {"naut", 8}, {"tant", 7}, {"dant", 7}, {"nant", 8}, {"dent", 7},
	{"gent", 5}, {"er", 5}, {"or", 5}, {"nee", 6}, {"yee", 6},
}

// notRoles are closed classes that end like agent nouns but never name a
// job: grammar words, comparatives in common use, kinship and social ties,
// and agent nouns of behaviour rather than employment (a voter, a
// supporter). They are grammar and semantics of English, not names from any
// text.
var notRoles = map[string]bool{
	// grammar words
	"after": true, "over": true, "under": true, "never": true, "ever": true, "whether": true,
	"either": true, "neither": true, "rather": true, "together": true, "later": true,
	"other": true, "another": true, "her": true, "per": true, "further": true, "however": true,
	"whatever": true, "whenever": true, "wherever": true, "forever": true, "moreover": true,
	"upper": true, "inner": true, "outer": true, "latter": true, "former": true, "sooner": true,
	"meanwhile": true, "german": true, "human": true, "woman": true, "women": true, "man": true,
	"men": true, "person": true, "certain": true, "urban": true, "roman": true, "ottoman": true,
	// kinship and social ties
	"brother": true, "sister": true, "mother": true, "father": true, "daughter": true,
	"grandmother": true, "grandfather": true, "stepmother": true, "stepfather": true,
	"stepdaughter": true, "stepbrother": true, "stepsister": true, "godfather": true,
	"godmother": true, "husband": true, "wife": true, "neighbor": true,
	"neighbour": true, "lover": true, "ancestor": true, "descendant": true, "dependent": true,

	// agent nouns of behaviour, not employment
	"supporter": true, "voter": true, "customer": true, "user": true, "viewer": true,
	"reader": true, "follower": true, "listener": true, "shopper": true, "passenger": true,
	"survivor": true, "prisoner": true, "protester": true, "protestor": true, "demonstrator": true,
	"visitor": true, "winner": true, "loser": true, "finisher": true, "opponent": true,
	"admirer": true, "critic": true, "backer": true, "believer": true,
	"newcomer": true, "teenager": true, "youngster": true, "toddler": true, "villager": true,
	"foreigner": true, "outsider": true, "insider": true, "beginner": true, "bystander": true, "stranger": true, "resident": true,
	// nouns and verbs that are not agents
	"number": true, "summer": true, "winter": true, "water": true, "power": true,
	"paper": true, "letter": true, "chapter": true, "matter": true, "order": true, "border": true,
	"corner": true, "computer": true, "cancer": true, "tower": true, "theater": true,
	"shelter": true, "weather": true, "river": true, "silver": true, "dinner": true,
	"finger": true, "hunger": true, "fever": true, "error": true, "mirror": true, "horror": true,
	"motor": true, "factor": true, "sector": true, "labor": true, "favor": true, "honor": true,
	"humor": true, "floor": true, "door": true, "color": true, "major": true, "minor": true,
	"consider": true, "remember": true, "offer": true, "answer": true, "deliver": true,
	"cover": true, "enter": true, "gather": true, "discover": true, "recover": true,
	"suffer": true, "bother": true, "differ": true, "prefer": true, "refer": true,
	"wonder": true, "register": true, "render": true, "surrender": true, "monitor": true,
	"better": true, "bitter": true, "clever": true, "greater": true, "bigger": true,
	"larger": true, "longer": true, "younger": true, "older": true, "elder": true,
	"higher": true, "lower": true, "earlier": true, "faster": true, "stronger": true,
	"smaller": true, "newer": true, "quarter": true, "semester": true, "character": true,
	"encounter": true, "disaster": true, "government": true,
	"parliament": true, "department": true, "moment": true, "agreement": true, "statement": true,
	"patent": true, "talent": true, "urgent": true, "percent": true, "recent": true, "decent": true,
	"accident": true, "incident": true, "evident": true, "confident": true, "committee": true,
	"guarantee": true, "manner": true, "banner": true, "corridor": true, "behavior": true,
	"behaviour": true, "vapor": true, "vapour": true, "rumor": true, "rumour": true,
	"harbor": true, "harbour": true, "terror": true, "interior": true, "exterior": true,
	"superior": true, "inferior": true, "junior": true, "senior": true, "prior": true,
	"poster": true, "trailer": true,
	"sticker": true, "charter": true, "barrier": true, "career": true, "shower": true,
	"powder": true, "ladder": true, "leather": true, "feather": true, "flower": true,
	"cluster": true, "filter": true, "thunder": true, "printer": true, "container": true,
	"laser": true, "radar": true, "sugar": true, "dollar": true,
	"calendar": true, "pillar": true, "collar": true, "whisper": true,
	"plaster": true, "oyster": true, "lobster": true, "hamster": true, "monster": true,
	"remainder": true, "reminder": true,
}

// roleOf grades the evidence that token t heads a job title.
func roleOf(t tok) roleGrade {
	if !t.word {
		return roleNone
	}
	w := strings.TrimSuffix(lowerPoss(t.s), ".")
	if titleHeads[w] || titleHeads[t.low] || titleAbbrevs[w] != "" && isCapWord(t) {
		return roleListed
	}
	if notRoles[w] || functionWords[w] || titleStops[w] || npStops[w] || qualifiers[w] || demonyms[w] != "" {
		return roleNone
	}
	// singer-guitarist, co-author, vice-chair: the last part decides
	if k := strings.LastIndexByte(w, '-'); k > 0 && k < len(w)-1 {
		return roleOf(tok{s: w[k+1:], low: w[k+1:], word: true})
	}
	// QB, CEO, GM: a short abbreviation in capitals
	if n := utf8.RuneCountInString(t.s); n >= 2 && n <= 3 && allUpper(t.s) {
		return roleShape
	}
	if !isLowerWord(w) {
		return roleNone
	}
	for _, a := range agentSuffixes {
		if len(w) >= a.min && strings.HasSuffix(w, a.suf) {
			if a.suf == "er" && (strings.HasSuffix(w, "ier") || strings.HasSuffix(w, "ther")) {
				// comparatives (earlier, heavier) and kinship (brother)
				return roleNone
			}
			return roleShape
		}
	}
	return roleNone
}

func allUpper(s string) bool {
	for _, r := range s {
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

func isLowerWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLower(r) {
			return false
		}
	}
	return w != ""
}

// isPartyTag: D-Ore., R-Neb, I-Vt.: a party and state after a legislator's
// name, never a name.
func isPartyTag(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if len(s) < 3 || s[1] != '-' {
		return false
	}
	switch s[0] {
	case 'D', 'R', 'I':
	default:
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[2:])
	return unicode.IsUpper(r)
}

// verbContext: the word before t makes t a verb (to offer, will monitor, he
// reported), so t does not head a title.
func verbContext(ts []tok, k int) bool {
	if k <= 0 {
		return false
	}
	switch ts[k-1].lower() {
	case "to", "will", "would", "can", "could", "should", "must", "may", "might", "did",
		"didn't", "does", "doesn't", "i", "you", "he", "she", "we", "they", "who", "not":
		return true
	}
	return false
}
