package diff

import (
	"os"
	"strings"
	"testing"

	"github.com/stet-news/stet/internal/testfeed"
)

// seed is the repository's invented test article (internal/testfeed).
func seed(t testing.TB) Article {
	t.Helper()
	return ParsePlain(string(testfeed.SeedBytes(t)))
}

// TestInventedArticle: the quotes, speakers and titles of the invented
// article, one by each attribution form (after, before, pronoun, partial).
func TestInventedArticle(t *testing.T) {
	a := seed(t)
	if got, want := a.Headline, "Elena Marsh Pledges Grain Reserves to Drought-Hit Valdoria"; got != want {
		t.Errorf("headline: got %q, want %q", got, want)
	}
	ex := Extract(a)
	wantQuotes := []Quote{
		{"We can offer grain, lorries, cold storage, and a great deal of advice. But the request has to come from Valdoria,", "Elena Marsh", false},
		{"Every week of delay means another village selling its seed corn just to eat. Nobody wins when a harvest is mortgaged before it is planted,", "Elena Marsh", false},
		{"a buyer’s market,", "Elena Marsh", true},
		{"We welcome any offer that respects our own distribution system, and we will study this one carefully before the cabinet meets.", "Tomas Brenner", false},
		{"Our warehouses can take the first shipment within ten days, provided the roads stay open,", "Ines Kovac", false},
	}
	if len(ex.Quotes) != len(wantQuotes) {
		t.Fatalf("got %d quotes, want %d: %+v", len(ex.Quotes), len(wantQuotes), ex.Quotes)
	}
	for i, want := range wantQuotes {
		got := ex.Quotes[i]
		if foldForSubstring(got.Text) != foldForSubstring(want.Text) || got.Speaker != want.Speaker || got.Partial != want.Partial {
			t.Errorf("quote %d: got %+v, want %+v", i, got, want)
		}
	}
	wantTitles := []Title{
		{"Elena Marsh", "Senator from Kestrel Province"},
		{"Elena Marsh", "former Speaker of the Kestrel Provincial Assembly"},
		{"Elena Marsh", "Norland senator"},
		{"Tomas Brenner", "spokesperson for the Valdorian Grain Board"},
		{"Ines Kovac", "Valdoria’s Minister of Agriculture"},
	}
	if len(ex.Titles) != len(wantTitles) {
		t.Errorf("got %d titles, want %d: %+v", len(ex.Titles), len(wantTitles), ex.Titles)
	}
	for _, want := range wantTitles {
		found := false
		for _, got := range ex.Titles {
			if got.Person == want.Person && sameTitle(got.Title, want.Title) {
				found = true
			}
		}
		if !found {
			t.Errorf("title %+v not found in %+v", want, ex.Titles)
		}
	}
}

// TestSeedArticle checks extraction on the real shared seed article. Its
// people are not named here: the main speaker is the one the headline
// starts with.
func TestSeedArticle(t *testing.T) {
	b, err := os.ReadFile("../../shared/fixtures/seed-article.txt")
	if err != nil {
		t.Skip("../shared/fixtures/seed-article.txt not found")
	}
	a := ParsePlain(string(b))
	ex := Extract(a)
	if got, want := len(ex.Quotes), 3; got != want {
		t.Fatalf("got %d quotes, want %d: %+v", got, want, ex.Quotes)
	}
	speaker := ex.Quotes[0].Speaker
	if speaker == "" || !strings.HasPrefix(a.Headline, speaker+" ") {
		t.Errorf("speaker %q does not start the headline %q", speaker, a.Headline)
	}
	partial := 0
	for _, q := range ex.Quotes {
		if q.Speaker != speaker {
			t.Errorf("quote %q: got speaker %q, want %q", q.Text, q.Speaker, speaker)
		}
		if q.Partial {
			partial++
		}
	}
	if partial != 1 {
		t.Errorf("got %d partial quotes, want 1", partial)
	}
	// The speaker's titles: a senator, a former speaker of a state house,
	// a federal official; and one other person's title: a president.
	var mine []string
	others := map[string][]string{}
	for _, ti := range ex.Titles {
		if ti.Person == speaker {
			mine = append(mine, ti.Title)
		} else {
			others[ti.Person] = append(others[ti.Person], ti.Title)
		}
	}
	for _, word := range []string{"Senator from", "former Speaker of", "federal official"} {
		found := false
		for _, ti := range mine {
			found = found || strings.Contains(ti, word)
		}
		if !found {
			t.Errorf("no title of %q with %q among %q", speaker, word, mine)
		}
	}
	if len(others) != 1 {
		t.Errorf("got titles of %d other people, want 1: %v", len(others), others)
	}
	for who, ts := range others {
		if len(ts) != 1 || !strings.HasSuffix(ts[0], "President") {
			t.Errorf("%q: got titles %q, want one president", who, ts)
		}
	}
}

// quoteCase is one extraction phenomenon: the text and the quotes wanted.
type quoteCase struct {
	name string
	text string
	want []Quote
}

func runQuoteCases(t *testing.T, cases []quoteCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got := Extract(Article{Body: tt.text}).Quotes
			if len(got) != len(tt.want) {
				t.Fatalf("got %d quotes %+v, want %d %+v", len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("quote %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestQuoteMarks(t *testing.T) {
	runQuoteCases(t, []quoteCase{
		{"curly", "“We will win,” Okonjo said.", []Quote{{"We will win,", "Okonjo", false}}},
		{"straight", `"We will win," Okonjo said.`, []Quote{{"We will win,", "Okonjo", false}}},
		{"guillemets", "«We will not sign this,» said Élodie Marchand.", []Quote{{"We will not sign this,", "Élodie Marchand", false}}},
		{"guillemets with spaces", "« We will not sign this », said Élodie Marchand.", []Quote{{"We will not sign this", "Élodie Marchand", false}}},
		{"low-high", "„We are ready“, said Hans Müller.", []Quote{{"We are ready", "Hans Müller", false}}},
		{"single inside double", "“She told me, ‘Never again,’ and left,” Ruelle said.", []Quote{{"She told me, ‘Never again,’ and left,", "Ruelle", false}}},
		{"apostrophes", "“They’re not the workers’ friends,” said Ana Ruelle.", []Quote{{"They’re not the workers’ friends,", "Ana Ruelle", false}}},
		{"straight apostrophes", `"They're not the workers' friends," said Ana Ruelle.`, []Quote{{"They're not the workers' friends,", "Ana Ruelle", false}}},
		{"stray closing mark", `uneasy on Gilmer street"` + "\n\n" + `"Detectives are looking into it," Richmond police said.`, []Quote{{"Detectives are looking into it,", "", false}}},
		{"no marks", "Okonjo said the council would appeal.", nil},
		{"British single marks", "‘We will not back down,’ said Nora Pell, the council leader. ‘The plan is sound.’\n\n‘It’s the players’ union that decides,’ said Tom Ashby.",
			[]Quote{{"We will not back down, The plan is sound.", "Nora Pell", false}, {"It’s the players’ union that decides,", "Tom Ashby", false}}},
		{"British, double marks nested", "‘He told me “never again” and left,’ said Nora Pell. The report called it ‘a total disaster’ for the region.",
			[]Quote{{"He told me “never again” and left,", "Nora Pell", false}, {"a total disaster", "", true}}},
		{"British straight single marks", "'We will not back down,' said Nora Pell. 'It's the players' union that decides.'",
			[]Quote{{"We will not back down, It's the players' union that decides.", "Nora Pell", false}}},
		{"one single-quoted word in a double-quoted article", "“We will win,” Okonjo said of the ‘plan’.", []Quote{{"We will win,", "Okonjo", false}}},
	})
}

func TestQuoteStructure(t *testing.T) {
	runQuoteCases(t, []quoteCase{
		{"split in one sentence", "“We will appeal,” Okonjo said, “and we will win.”", []Quote{{"We will appeal, and we will win.", "Okonjo", false}}},
		{"split over two sentences", "“We met every condition,” Wainscott said. “This order is about politics.”", []Quote{{"We met every condition, This order is about politics.", "Wainscott", false}}},
		{"two quotes, two verbs", "“I don’t repeat myself,” Tremont insisted, before stating again, “I don’t repeat myself.”", []Quote{{"I don’t repeat myself,", "Tremont", false}, {"I don’t repeat myself.", "Tremont", false}}},
		{"multi-paragraph", "Yasmin Hadley described the descent:\n\n“For eleven minutes, nobody said a word.\n\n“We are on the surface.”", []Quote{{"For eleven minutes, nobody said a word. We are on the surface.", "Yasmin Hadley", false}}},
		{"partial", "Ruelas warned that brokers treat the shortage as “a buyer’s market,” despite that.", []Quote{{"a buyer’s market,", "Ruelas", true}}},
		{"partial after that", "Edwin said prosecutors had shown “clear and convincing evidence” in court.", []Quote{{"clear and convincing evidence", "Edwin", true}}},
		{"full after said comma", `Burwick said, "I love cats!"`, []Quote{{"I love cats!", "Burwick", false}}},
		{"two speakers in one paragraph", "“We lost,” said Ana Ruelle. “We will be back,” said Tom Hall.", []Quote{{"We lost,", "Ana Ruelle", false}, {"We will be back,", "Tom Hall", false}}},
		{"same speaker twice", "“It hurts,” said Ana Ruelle. “But we go on,” she added.", []Quote{{"It hurts, But we go on,", "Ana Ruelle", false}}},
		{"split when asked", "“I don’t know,” Thune said when asked about the timeline, “but we will find out.”", []Quote{{"I don’t know, but we will find out.", "Thune", false}}},
		{"continuation paragraph", "“We will win,” Okonjo said.\n\n“Nobody can stop us now.”", []Quote{{"We will win,", "Okonjo", false}, {"Nobody can stop us now.", "Okonjo", false}}},
		{"full after said without comma", `Marek told Jacob "I will protect you."`, []Quote{{"I will protect you.", "Marek", false}}},
	})
}

func TestNotQuotes(t *testing.T) {
	runQuoteCases(t, []quoteCase{
		{"book title", `Burwick claims that his favorite book is "One Hundred Years of Solitude".`, nil},
		{"list of song titles", `Her favorite songs include "Blue Morning," "Tin Roof Rain" and "Last Light on the Water."`, nil},
		{"title-case name with no attribution", `The plan, "The Great Wall of Tariffs," was printed on leaflets.`, nil},
		{"short title-case answer with an attribution stays", `“Denver,” he answered.`, []Quote{{"Denver,", "", false}}},
		{"report title", "The report, titled “Rivers at Risk,” found pollution rising.", nil},
		{"film title", "The studio films scenes for “The Last Ferry Home,” a thriller.", nil},
		{"scare quote", "The hospital offered a one-time “wellness” bonus of $500.", nil},
		{"so-called", "Even the so-called “clean” rivers showed rising levels.", nil},
		{"nickname", "Dwayne “The Rock” Johnson was not at the meeting.", nil},
		{"short quote with speech verb is speech", "Nwosu-Hale said the savings were “small change” for the city.", []Quote{{"small change", "Nwosu-Hale", true}}},
	})
}

func TestSpeakers(t *testing.T) {
	runQuoteCases(t, []quoteCase{
		{"said after", "“We are ready,” Smith said.", []Quote{{"We are ready,", "Smith", false}}},
		{"said before name", "“We are ready,” said Jana Smit.", []Quote{{"We are ready,", "Jana Smit", false}}},
		{"told", "“We are ready,” Smith told reporters on Monday.", []Quote{{"We are ready,", "Smith", false}}},
		{"according to", "According to Incident Commander Javier Montalvo, “The wind is doing what it wants.”", []Quote{{"The wind is doing what it wants.", "Javier Montalvo", false}}},
		{"colon", "Deputy Mayor Tom Brennan said: “The numbers did not add up.”", []Quote{{"The numbers did not add up.", "Tom Brennan", false}}},
		{"dash", "“The measurement moves the argument from theory to data.” — Chiara Okonjo", []Quote{{"The measurement moves the argument from theory to data.", "Chiara Okonjo", false}}},
		{"fullest name", "Marta Ruelas spoke on Monday.\n\n“We can help,” Ruelas said.", []Quote{{"We can help,", "Marta Ruelas", false}}},
		{"pronoun", "Burwick explained from a podium. “I love cats,” he said.", []Quote{{"I love cats,", "Burwick", false}}},
		{"pronoun skips a subject of the other gender", "Mayor Linda Okonjo criticized the plan. Deputy Mayor Tom Brennan defended his budget on Monday.\n\n“This is a mistake,” she said.", []Quote{{"This is a mistake,", "Linda Okonjo", false}}},
		{"pronoun, nobody named", "“Some people say otherwise,” he conceded.", []Quote{{"Some people say otherwise,", "", false}}},
		{"unnamed official", "“The votes are not there,” a senior government official said.", []Quote{{"The votes are not there,", "", false}}},
		{"crowd", "“Homes, not profits!” the crowd chanted.", []Quote{{"Homes, not profits!", "", false}}},
		{"role, one holder", "Governor Celestina Marlowe signed the order.\n\n“This is not a punishment,” the governor said.", []Quote{{"This is not a punishment,", "Celestina Marlowe", false}}},
		{"appositive subject", "The company’s chief executive, Shona Brackenfield, said it would review the rota. “We put a fair offer on the table,” she said.", []Quote{{"We put a fair offer on the table,", "Shona Brackenfield", false}}},
		{"role then name", "“We chose not to pass on the cost,” said Halvorsen’s chief executive, Dana Oduya.", []Quote{{"We chose not to pass on the cost,", "Dana Oduya", false}}},
		{"same surname", "Senator Ruth Adebayo-Lund wrote the bill.\n\n“Tonight we decided,” Ruth Adebayo-Lund said.\n\nHer brother, Governor Kolawe Adebayo-Lund, testified in March.\n\n“This bill is not perfect,” Kolawe Adebayo-Lund said.", []Quote{{"Tonight we decided,", "Ruth Adebayo-Lund", false}, {"This bill is not perfect,", "Kolawe Adebayo-Lund", false}}},
		{"surname first", "Chen Lirong, managing director of Redstone Mining, spoke.\n\n“We have nothing to hide,” Chen said.", []Quote{{"We have nothing to hide,", "Chen Lirong", false}}},
		{"particles in a name", "The city’s police chief, José de la Vega, spoke.\n\n“We are ready,” de la Vega said.", []Quote{{"We are ready,", "José de la Vega", false}}},
		{"organisation of", "Interim CEO Paul Grant of Aquafirm called the bill “a disaster for business.”", []Quote{{"a disaster for business.", "Paul Grant", true}}},
	})
}

func TestTitles(t *testing.T) {
	tests := []struct {
		name, text string
		want       []Title
	}{
		{"appositive", "Marta Ruelas, a United States Senator from Florida, spoke.", []Title{{"Marta Ruelas", "United States Senator from Florida"}}},
		{"two in one appositive", "Marta Ruelas, a United States Senator from Florida and former Speaker of the Florida House of Representatives, spoke.",
			[]Title{{"Marta Ruelas", "United States Senator from Florida"}, {"Marta Ruelas", "former Speaker of the Florida House of Representatives"}}},
		{"pre-name", "Secretary of State Marta Ruelas spoke.", []Title{{"Marta Ruelas", "Secretary of State"}}},
		{"pre-name former", "She met former Speaker Nancy Pelosi on Monday.", []Title{{"Nancy Pelosi", "former Speaker"}}},
		{"possessive", "Mexico’s President, Clara Steinhaus, confirmed it.", []Title{{"Clara Steinhaus", "Mexico’s President"}}},
		{"lowercase possessive", "The city’s police chief, Ana Ruelle, said so.", []Title{{"Ana Ruelle", "city’s police chief"}}},
		{"noun modifier opening a sentence", "Police Chief Mei Brennan said the cuts were unavoidable.", []Title{{"Mei Brennan", "Police Chief"}}},
		{"who is", "Rohan Mehra, who is also the company’s deputy chief executive, said so.", []Title{{"Rohan Mehra", "company’s deputy chief executive"}}},
		{"lowercase pre-name", "Falcons general manager Dmitri Sokolin declined to comment.", []Title{{"Dmitri Sokolin", "Falcons general manager"}}},
		{"whose", "The nurses are represented by the Allied Nurses Union, whose president, Rosalind Delmar-Koh, said no.", []Title{{"Rosalind Delmar-Koh", "president of the Allied Nurses Union"}}},
		{"not a title: company", "President’s Pantry will close four stores.", nil},
		{"not a title: street", "The shoot closes Judge Street for two weeks.", nil},
		{"not a title: replaced", "Eskildsen replaced Olga Brandvold on Monday.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Extract(Article{Body: tt.text}).Titles
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i].Person != tt.want[i].Person || !sameTitle(got[i].Title, tt.want[i].Title) {
					t.Errorf("got %+v, want %+v", got[i], tt.want[i])
				}
			}
		})
	}
}

func TestSameTitle(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"U.S. Senator", "United States senator", true},
		{"Mexican President", "Mexico’s President", true},
		{"President of Mexico", "Mexico's President", true},
		{"Caldorian Finance Minister", "Caldoria’s finance minister", true},
		{"Kingsbridge manager", "Kingsbridge Athletic manager", true},
		{"Gov.", "Governor", true},
		{"city's budget director", "city's interim budget director", false},
		{"chief executive", "chief operating officer", false},
		{"Governor of Eastmoor province", "former Governor of Eastmoor province", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := sameTitle(tt.a, tt.b); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParsePlain(t *testing.T) {
	tests := []struct {
		name, in, head, body string
	}{
		{"headline", "Big News Today\n\nFirst paragraph.", "Big News Today", "First paragraph."},
		{"sentence is no headline", "This is a sentence.\n\nSecond.", "", "This is a sentence.\n\nSecond."},
		{"no blank line", "Line one\nLine two", "", "Line one\nLine two"},
		{"crlf", "Head\r\n\r\nBody", "Head", "Body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParsePlain(tt.in)
			if got.Headline != tt.head || got.Body != tt.body {
				t.Errorf("got %+v, want {%q %q}", got, tt.head, tt.body)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"“Hi,” she said — ok", `"Hi," she said—ok`},
		{"\"Hi,\" she said -- ok", `"Hi," she said—ok`},
		{"a\u00a0b  c\nd", "a b c d"},
		{"one\n\n\n\ntwo", "one\n\ntwo"},
		{"wait…", "wait..."},
		{"it’s", "it's"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// foldForSubstring folds typography and white space so that a quote can be
// found in its input.
func foldForSubstring(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(Normalize(s), "\n", " ")), " ")
}
