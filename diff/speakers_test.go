package diff

import "testing"

// Each case is one form of attribution seen in real news writing, written
// with invented names.
func TestSpeakerForms(t *testing.T) {
	runQuoteCases(t, []quoteCase{
		{"long appositive between quote and verb",
			"“We had hoped to start later, but the demand was there,” Greta Solvang, deputy director for field operations at the regional water authority in Tarnby, Norland, said in a briefing.",
			[]Quote{{"We had hoped to start later, but the demand was there,", "Greta Solvang", false}}},
		{"relative clause between name and verb",
			"“The plan should send a clear signal,” Minister Oskar Brandt, who leads a caretaker cabinet of civil servants, said in the statement.",
			[]Quote{{"The plan should send a clear signal,", "Oskar Brandt", false}}},
		{"verb first",
			"Few expect a change. Said Morrow: “I don’t get the sense anyone is interested.”",
			[]Quote{{"I don’t get the sense anyone is interested.", "Morrow", false}}},
		{"party tag in brackets",
			"“We cannot let this stand,” Rep. Dora Quayle (R-Ore.) said.",
			[]Quote{{"We cannot let this stand,", "Dora Quayle", false}}},
		{"party tag in brackets, then a comma",
			"On Tuesday, after winning the state, Gov. Jon Kasten (R-OH), said, “I am getting ready to rent a covered wagon.”",
			[]Quote{{"I am getting ready to rent a covered wagon.", "Jon Kasten", false}}},
		{"subject of a clause opened by after",
			"The endorsement comes three days after Trembley told The Daily Ledger he was “not quite there yet” on the bill.",
			[]Quote{{"not quite there yet", "Trembley", true}}},
		{"a possessive is no speaker",
			"Clarke’s comments further “the mob mentality” of the campaign, the groups say.",
			[]Quote{{"the mob mentality", "", true}}},
		{"name after a dash with no space",
			"“Nobody listens to us at all.”― Marisol Teague",
			[]Quote{{"Nobody listens to us at all.", "Marisol Teague", false}}},
		{"quotes one a line with dash attributions",
			"“We are tired of waiting.” ― Lena Voss\n“We want answers now.” ― Tobias Grell",
			[]Quote{{"We are tired of waiting.", "Lena Voss", false}, {"We want answers now.", "Tobias Grell", false}}},
		{"party and state after the name",
			"“That is paid for by the taxpayers,” said Senator Roan Pellet, Democrat of Vermont.",
			[]Quote{{"That is paid for by the taxpayers,", "Roan Pellet", false}}},
		{"modifier and role nouns before the name",
			"“The flap will fade,” said Republican party boss Aldo Fenwick, though he added more.",
			[]Quote{{"The flap will fade,", "Aldo Fenwick", false}}},
		{"role, then the name in apposition, then the verb",
			"“It would have been better for the economy,” the agency's press secretary, Jonas Erling, said on Tuesday.",
			[]Quote{{"It would have been better for the economy,", "Jonas Erling", false}}},
		{"he after a subject behind an opening phrase",
			"On the eve of the meetings, Dale Tumbrel eased his tone. Asked who leads the party, he named Ryan. “I would say Paul for now,” he said.",
			[]Quote{{"I would say Paul for now,", "Dale Tumbrel", false}}},
		{"name opening the sentence, an organisation in its appositive",
			"Mira Vantongeren, the editor of the city paper, The Ledger, said every pope was “both religious and political.”",
			[]Quote{{"both religious and political.", "Mira Vantongeren", true}}},
		{"name opening the sentence, a relative clause before the verb",
			"Sol Moritz, a fellow at the Center for Global Development, which works on aid, said that support for the nominee is “not just the big donors pushing someone through.”",
			[]Quote{{"not just the big donors pushing someone through.", "Sol Moritz", true}}},
		{"an organisation after the",
			"A letter from the veterans' group obtained by The Daily Ledger warns that “any further contact will be through our lawyers.”",
			[]Quote{{"any further contact will be through our lawyers.", "", true}}},
		{"a party word modifying the subject's role, verb after a long clause",
			"Democratic front-runner Ilka Brandvold, also campaigning in Norland, said the mayor was to blame and accused him of “inciting violent behavior.”",
			[]Quote{{"inciting violent behavior.", "Ilka Brandvold", true}}},
		{"a capitalised opener before a preposition is no subject",
			"Shortly after the hearing ended, the campaign of Tove Marcussen sent out a release saying the board owes “an explanation.”",
			[]Quote{{"an explanation.", "", true}}},
		{"verb first, a verb other than said",
			"Few expect a change. Continued Halvorsen: “So I think it is a real problem.”",
			[]Quote{{"So I think it is a real problem.", "Halvorsen", false}}},
		{"two apostrophes open the quote after a full stop",
			"The plans are ''deeply unwise,'' said Saul Brandt, a director at the Policy Center. ''It just leaves me speechless.''",
			[]Quote{{"deeply unwise,", "Saul Brandt", true}, {"It just leaves me speechless.", "Saul Brandt", false}}},
		{"a sentence of its own introduces the quote after it",
			"Mara Quist agreed. \"Time is running out to find an alternative.\"",
			[]Quote{{"Time is running out to find an alternative.", "Mara Quist", false}}},
		{"a title word closing a name is a surname",
			"“It is not going to be easy,” said Representative Aldo T. King of Norland. “There is no doubt.”",
			[]Quote{{"It is not going to be easy, There is no doubt.", "Aldo T. King", false}}},
		{"a title word closing a name, no title before it",
			"“It is not going to be easy,” said Aldo King, who runs the firm.",
			[]Quote{{"It is not going to be easy,", "Aldo King", false}}},
		{"a described person, then the name after a comma",
			"“It may have been his first attempt,” said his best friend at Lehigh, Bruno Tarvey.",
			[]Quote{{"It may have been his first attempt,", "Bruno Tarvey", false}}},
		{"a quote split by an attribution with a verb off the list is one quote",
			"“We can always have differences,” Hector Dane retorted. “It is fine.”",
			[]Quote{{"We can always have differences, It is fine.", "Hector Dane", false}}},
		{"a title word as a surname after an honorific",
			"“They pay us a lot of money,” Mr. King said.",
			[]Quote{{"They pay us a lot of money,", "King", false}}},
		{"capitalised speech verb after an appositive",
			"“Not us but we like it!” Murphy, the head of a super PAC, Tweeted on Friday.",
			[]Quote{{"Not us but we like it!", "Murphy", false}}},
		{"verb off the list before and",
			"“Go back to your seat,” Trombley barked and a guard escorted the man out.",
			[]Quote{{"Go back to your seat,", "Trombley", false}}},
		{"a named role before the colon",
			"The timing does not surprise Republican pollster Dara Shawcross: “Lesser-known candidates gain the most.”",
			[]Quote{{"Lesser-known candidates gain the most.", "Dara Shawcross", false}}},
		{"a past verb after the appositive",
			"Guns are “the ultimate public health crisis,” Hal Deane, the former governor of Vermont, proclaimed to a crowd.",
			[]Quote{{"the ultimate public health crisis,", "Hal Deane", true}}},
		{"a name inside a phrase before the colon",
			"A familiar voice celebrated the attacks on Chirpnet: “We have already arrived.”",
			[]Quote{{"We have already arrived.", "", false}}},
		{"told names the hearer",
			"“We will appeal the ruling,” told the Ledger on Monday.",
			[]Quote{{"We will appeal the ruling,", "", false}}},
		{"indefinite role with an organisation",
			"“We received a letter and are cooperating,” said a Brightline spokesperson.",
			[]Quote{{"We received a letter and are cooperating,", "", false}}},
		{"name inside a prepositional phrase",
			"According to the agency, one user on Chirpnet, which is popular with students, posted: “How did this happen here?”",
			[]Quote{{"How did this happen here?", "", false}}},
		{"named person and her team",
			"“We suggest the activity is lower than thought,” Ines Carvalho and her team wrote in the paper.",
			[]Quote{{"We suggest the activity is lower than thought,", "Ines Carvalho", false}}},
		{"clause before the quote, adding after",
			"Prime Minister Rhea Castellan said in a statement, “We are relieved” at the release, adding that the families were grateful.",
			[]Quote{{"We are relieved", "Rhea Castellan", false}}},
		{"verb off the list by position",
			"“This is the worst budget in a decade,” grumbled Sen. Ada Lowther.",
			[]Quote{{"This is the worst budget in a decade,", "Ada Lowther", false}}},
		{"infinitive say is no attribution",
			"Marco Veldt, the firm’s operating chief, spoke. “We start small,” he said. “Our ability to scale will carry us.” He declined to say when the product would ship.",
			[]Quote{{"We start small, Our ability to scale will carry us.", "Marco Veldt", false}}},
	})
}

// Attributions with no speech verb: the sentence's subject, or the quote
// before it in the paragraph.
func TestSpeakerWithoutSpeechVerb(t *testing.T) {
	runQuoteCases(t, []quoteCase{
		{"colon after a verb off the list",
			"The vote went late. And Mr. Halvorsen gloated: “I told you it would pass.”",
			[]Quote{{"I told you it would pass.", "Halvorsen", false}}},
		{"fragment in the subject's sentence",
			"Wilma Achterhof, the clinic's director, spoke first. Achterhof thanked the staff for “working through every night of the storm.”",
			[]Quote{{"working through every night of the storm.", "Wilma Achterhof", true}}},
		{"a later quote of the same paragraph",
			"“It is a big moment,” said Corin Vale, a strategist. Unless the rivals quit, “it is very hard to see how she is stopped.”",
			[]Quote{{"It is a big moment,", "Corin Vale", false}, {"it is very hard to see how she is stopped.", "Corin Vale", true}}},
		{"modifier and role nouns before the subject's name",
			"Former Republican presidential candidate Jed Bosworth broke down the problem for a newspaper: “It was careless.”",
			[]Quote{{"It was careless.", "Jed Bosworth", false}}},
		{"participle clause before the subject",
			"Asked whether the campaign should take the blame, Mr. Lindgaard shot back: “That would be good.”",
			[]Quote{{"That would be good.", "Lindgaard", false}}},
		{"speaker labels before colons",
			"Debate night. Rivera: “Our goal is to defeat them.” Bosch: “The mission is to destroy it.”",
			[]Quote{{"Our goal is to defeat them.", "Rivera", false}, {"The mission is to destroy it.", "Bosch", false}}},
		{"pronoun subject of a verb off the list",
			"Lena Holt, a teacher, spoke last. She concluded, “We are strong.”",
			[]Quote{{"We are strong.", "Lena Holt", false}}},
		{"dash and name in the next paragraph",
			"“Boeing and other firms pay zero taxes.”\n\n- Alma Sandoval, Denver.",
			[]Quote{{"Boeing and other firms pay zero taxes.", "Alma Sandoval", false}}},
		{"a name that is no subject does not interrupt",
			"“This is a critique,” said Fred Orta, the brother of a comedian. But the oversized Tremont face on billboards has not hurt interest. “It has had a marvelous result.”",
			[]Quote{{"This is a critique,", "Fred Orta", false}, {"It has had a marvelous result.", "Fred Orta", false}}},
		{"short fragment attributed after it",
			"Untreated, the disease is “always fatal”, says the agency.",
			[]Quote{{"always fatal", "", true}}},
		{"short fragment, according to after it",
			"The guards signed “false certifications” about their rounds, according to court records.",
			[]Quote{{"false certifications", "", true}}},
		{"a group is no subject",
			"Guns are “the worst public health crisis we face,” the board wrote.",
			[]Quote{{"the worst public health crisis we face,", "", true}}},
	})
}

func TestSplitQuoteJoins(t *testing.T) {
	runQuoteCases(t, []quoteCase{
		{"relative clause after said",
			"“It sounded like a fair deal,” said Nell Okereke, who runs a bakery on the square and went on to a second meeting at a hall, where the mayor was greeted by a crowd. “I want to see how it works.”",
			[]Quote{{"It sounded like a fair deal, I want to see how it works.", "Nell Okereke", false}}},
		{"adding after said",
			"“We lost,” Dev Patel said, adding that the team would regroup. “But we will be back.”",
			[]Quote{{"We lost, But we will be back.", "Dev Patel", false}}},
	})
}

func TestQuoteTypography(t *testing.T) {
	runQuoteCases(t, []quoteCase{
		{"two straight single marks as doubles",
			"''Nobody asked us,'' said Tomas Reyes.",
			[]Quote{{"Nobody asked us,", "Tomas Reyes", false}}},
		{"two curly single marks as doubles",
			"‘‘We will not back down,’’ said Hana Boateng. ‘‘It is our right.’’",
			[]Quote{{"We will not back down, It is our right.", "Hana Boateng", false}}},
		{"closing typed as two apostrophes after a curly opening",
			"“We will rebuild,’’ said Nusa Albrecht.",
			[]Quote{{"We will rebuild,", "Nusa Albrecht", false}}},
	})
}

func TestExplainSpeakerRule(t *testing.T) {
	a := Article{Body: "“We will rebuild,” said Nusa Albrecht."}
	e := Explain(a, a)
	if len(e.Speakers) != 2 {
		t.Fatalf("got %d speaker reasons, want 2: %+v", len(e.Speakers), e.Speakers)
	}
	for _, r := range e.Speakers {
		if r.Speaker != "Nusa Albrecht" || r.Rule == "" {
			t.Errorf("got %+v, want speaker Nusa Albrecht with a rule", r)
		}
	}
}

func TestSpeakerTagsAndPronouns(t *testing.T) {
	runQuoteCases(t, []quoteCase{
		{"party tag between commas",
			"Sen. Bea Lindholm, R-Neb., called the ruling “a crisis of public trust” in the system.",
			[]Quote{{"a crisis of public trust", "Bea Lindholm", true}}},
		{"pronoun subject before a coordinated verb",
			"Gwen Harlow, the company’s president, spoke on Monday. She gave no date, but said the firm would fly the rocket “a great many times” first.",
			[]Quote{{"a great many times", "Gwen Harlow", true}}},
	})
}

func TestSpeakerPreviousParagraph(t *testing.T) {
	runQuoteCases(t, []quoteCase{
		{"speaker named in the paragraph before",
			"Dara Quell, the council’s treasurer, said the plan was flawed.\n\n“It will never work. We have been here before and we know it.”",
			[]Quote{{"It will never work. We have been here before and we know it.", "Dara Quell", false}}},
		{"paragraph before names nobody speaking",
			"The council met on Monday.\n\n“It will never work. We have been here before and we know it.”",
			[]Quote{{"It will never work. We have been here before and we know it.", "", false}}},
	})
}
