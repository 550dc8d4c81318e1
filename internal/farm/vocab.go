package farm

// The words the article generator draws from. Everything here is invented:
// places, people and organisations do not exist.

var placeHeads = []string{"Port", "North", "East", "West", "Lake", "Mount", "Fort", "New", "Upper", "Little"}

var placeBases = []string{
	"Averly", "Brannock", "Calder", "Dunmore", "Elston", "Farrow", "Glenmoor", "Harwick",
	"Ivel", "Kestrel", "Lowther", "Marden", "Norcott", "Ormsby", "Pelling", "Redfern",
	"Salcombe", "Tarrant", "Upfield", "Varley", "Wexcombe", "Yarrow", "Ashby", "Bramwell",
	"Coldridge", "Denholm", "Everleigh", "Fenwick", "Greyhaven", "Holloway",
}

var siteNames = []string{"Courier", "Gazette", "Herald", "Chronicle", "Observer", "Ledger", "Post", "Record", "Sentinel", "Examiner"}

var firstNames = []string{
	"Maria", "Tom", "Priya", "Adaeze", "Tomasz", "Dana", "Samuel", "Ingrid", "Kwame", "Lucia",
	"Henrik", "Aisha", "Rafael", "Mei", "Owen", "Fatima", "Gareth", "Yusuf", "Clara", "Dmitri",
	"Nadia", "Patrick", "Sofia", "Ibrahim", "Eleanor", "Mateo", "Hannah", "Kenji", "Grace", "Viktor",
	"Amara", "Connor", "Leila", "Benedict", "Rosa", "Tariq", "Helen", "Joaquin", "Siobhan", "Arjun",
	"Beatrice", "Emeka", "Julia", "Lars", "Nkechi", "Oscar", "Paulina", "Quentin", "Ruth", "Stefan",
}

var lastNames = []string{
	"Okafor", "Reyes", "Raman", "Nwankwo", "Whitfield", "Castellano", "Lindqvist", "Mensah", "Ferreira", "Tanaka",
	"Albright", "Haddad", "Kowalczyk", "Delacroix", "Osei", "Brennan", "Sato", "Moreau", "Abernathy", "Petrov",
	"Quinlan", "Mwangi", "Esposito", "Halvorsen", "Iwu", "Jaramillo", "Kaplan", "Lachance", "Montague", "Nakamura",
	"Oyelaran", "Pemberton", "Rasmussen", "Szabo", "Thibodeau", "Underhill", "Vasquez", "Wainwright", "Yilmaz", "Zielinski",
	"Achterberg", "Bianchi", "Carrington", "Dlamini", "Eriksen", "Fitzgerald", "Gallagher", "Hoffmann", "Ishikawa", "Jovanovic",
	"Kuznetsov", "Larkin", "Macaulay", "Nyberg", "Okonkwo", "Prescott", "Rahman", "Sutherland", "Tremblay", "Vukovic",
}

// Titles written before the name ("Deputy Mayor Tom Reyes").
var prefixTitles = []string{
	"Mayor", "Deputy Mayor", "Councillor", "Commissioner", "State Senator", "State Representative",
	"Sheriff", "Police Chief", "Fire Chief", "Superintendent", "Alderman", "Treasurer",
}

// Organisations and roles for titles written after the name ("Maria
// Okafor, the council's finance chair,").
type org struct{ name, poss string }

var orgs = []org{
	{"city council", "council’s"}, {"county board", "county board’s"}, {"port authority", "port authority’s"},
	{"hospital trust", "hospital trust’s"}, {"school board", "school board’s"}, {"transit agency", "transit agency’s"},
	{"water utility", "water utility’s"}, {"housing association", "housing association’s"},
	{"chamber of commerce", "chamber’s"}, {"nurses’ union", "union’s"}, {"planning commission", "commission’s"},
	{"ferry company", "ferry company’s"},
}

var roles = []string{
	"finance chair", "budget director", "chief executive", "planning director", "transport chair",
	"head of operations", "general counsel", "communications director", "vice chair", "treasurer",
	"chief financial officer", "director of public works", "housing chair", "safety director", "board chair",
}

var days = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}

// topic is a kind of local story. Narrative templates take {place}, {day},
// {org} and {n} (a number, changed by text-only edits); they never name a
// person, a title or a quote. Quote templates hold one or more [a|b]
// alternatives: rewording a quote picks another alternative.
type topic struct {
	headlines  []string
	leads      []string
	narratives []string
	actions    []string // what a named person did, after the name and title
	quotes     []string
}

var topics = []topic{
	{ // council budget
		headlines: []string{"{place} council approves budget with weekend bus cuts", "Budget vote in {place} ends months of wrangling over taxes"},
		leads: []string{
			"The {place} city council voted {n:6-9}-{n:2-5} on {day} night to approve an operating budget of ${n:120-900} million for next year, including cuts to three weekend bus routes that drew sharp criticism from riders during a four-hour public hearing.",
			"After a hearing that ran past midnight on {day}, {place} approved a ${n:120-900} million budget that holds the property tax increase to {n:1-3}.{n:1-9} percent.",
		},
		narratives: []string{
			"The budget holds the property tax increase to {n:1-3}.{n:1-9} percent, below the {n:4-6}.{n:1-9} percent that staff had proposed in September. To close the gap, the council trimmed overtime in the parks department and delayed the replacement of {n:2-4} fire engines.",
			"The final vote came after the council received more than {n:120-900} written submissions on the budget, most of them about transit and road repairs.",
			"Ridership on the affected routes has fallen by about {n:10-40} percent since {n:2015-2020}, and each Sunday trip costs the city about ${n:20-60} per passenger, according to figures presented at the meeting.",
			"The transit union local, which represents {n:200-900} drivers and mechanics, said in a statement that no jobs would be lost because drivers would be moved to weekday shifts.",
			"The budget takes effect on Jan. {n:1-9}. A mid-year review is scheduled for the {n:4-20}th of June.",
		},
		actions: []string{"defended the budget at the meeting", "voted against the package", "told councillors the cuts were unavoidable", "asked for a review of the bus cuts"},
		quotes: []string{
			"Nobody on this council wanted to [touch|cut|reduce] bus service, but we were not going to balance this budget on the backs of [homeowners|working families]",
			"When you cut a Sunday bus, you are not cutting a [luxury|perk]. You are cutting somebody’s ride to [work|the hospital]",
			"We will [revisit|review] those routes in the spring, and I expect we will restore at least [some|most] of them",
			"This budget asks every department to do a little more with a little [less|less money], and I think residents will see that it is [fair|balanced]",
			"I have sat through eleven budgets and this is the [hardest|toughest] one I have had to [vote on|support]",
		},
	},
	{ // ferry fares
		headlines: []string{"{place} ferry fares to rise by {n:5-15} per cent from January", "Islanders protest as {place} ferry operator raises fares"},
		leads: []string{
			"Councillors in {place} voted {n:5-8}-{n:2-4} on {day} night to raise ferry fares by {n:5-15} per cent from January, the first increase in {n:3-9} years.",
			"Ferry passengers in {place} will pay {n:5-15} per cent more from January after the {org} approved a new fare table on {day}.",
		},
		narratives: []string{
			"The operator carried about {n:400-900},000 passengers last year, down from {n:1-2}.{n:1-9} million before the pandemic, and its fuel bill rose by {n:10-40} per cent over the same period.",
			"A single adult crossing will cost ${n:4-9}.{n:10-95}, and a monthly pass will rise to ${n:90-180}. Children under {n:5-12} will continue to travel free.",
			"The meeting drew more than {n:80-400} residents, many of whom said they had no other way to reach the mainland for work or school.",
			"Two of the {n:4-7} vessels in the fleet are more than {n:25-40} years old and are due to be replaced within the decade.",
			"The new fares will be reviewed after {n:6-18} months, the operator said in a notice posted at the terminal.",
		},
		actions: []string{"defended the rise", "voted against the plan", "said the fleet needed investment", "urged the operator to freeze monthly passes"},
		quotes: []string{
			"We cannot keep the boats running on goodwill [and good intentions|alone]",
			"This is a tax on islanders who have no [other way|other means] to get to [work|school]",
			"The money has to come from [somewhere|someone], and the people who use the ferry are the ones who [benefit|gain] from it",
			"If we do nothing, we will be [cancelling|cutting] sailings by the summer, and nobody wants that",
			"I understand the anger, but the [alternative|other option] is a service that breaks down every [winter|month]",
		},
	},
	{ // hospital waits
		headlines: []string{"Emergency waits at {place} hospital reach record high", "{place} hospital trust opens new ward amid staffing shortage"},
		leads: []string{
			"Patients at the emergency department in {place} waited an average of {n:4-9} hours to be seen last month, the longest delay since records began, according to figures released on {day}.",
			"The {org} in {place} will open a {n:12-40}-bed ward next month, but officials warned on {day} that they still lack {n:15-80} nurses to staff it fully.",
		},
		narratives: []string{
			"About {n:200-400} patients a day arrive at the department, which was built to handle {n:120-190}. Ambulances queued outside for up to {n:3-8} hours on several nights last week.",
			"The trust has spent ${n:12-30} million on agency staff this year, up from ${n:4-11} million the year before.",
			"A review published in March found that {n:10-30} percent of beds were occupied by patients who were well enough to leave but had nowhere to go.",
			"The new ward will take patients from the emergency department and is expected to free up {n:10-30} beds on the surgical floors.",
			"Recruitment events are planned in {n:3-9} cities over the summer, with signing bonuses of up to ${n:2-9},000.",
		},
		actions: []string{"acknowledged the delays", "called the figures alarming", "said staff were exhausted", "promised an independent review"},
		quotes: []string{
			"Our staff are doing [extraordinary|remarkable] work under conditions that nobody should have to [accept|tolerate]",
			"Every hour a patient spends on a trolley in a corridor is an hour [too long|too many]",
			"We have the beds. What we do not have is the [people|staff] to look after the patients in them",
			"I would not wish that [night|wait] on anyone, and I am [ashamed|sorry] that it happened in our hospital",
			"The trust has known about this for [years|a decade] and has chosen to [do nothing|look away]",
		},
	},
	{ // school closure
		headlines: []string{"{place} school board votes to close two primary schools", "Parents in {place} fight plan to merge village schools"},
		leads: []string{
			"The {org} in {place} voted {n:5-7}-{n:2-4} on {day} to close two primary schools at the end of the school year, citing falling enrolment and a repair bill of ${n:3-12} million.",
			"Hundreds of parents packed a gymnasium in {place} on {day} to oppose a plan that would merge {n:3-5} village schools into one new building.",
		},
		narratives: []string{
			"Enrolment across the district has fallen by {n:10-30} percent over the past decade, and {n:20-90} classrooms now stand empty.",
			"Pupils from the closed schools would travel up to {n:8-25} miles by bus to the nearest remaining school.",
			"The two buildings need ${n:3-12} million in roof and heating repairs over the next {n:5-10} years, according to a survey commissioned last autumn.",
			"A petition against the closures has gathered more than {n:2-9},000 signatures.",
			"The board will hold a final consultation on the {n:4-20}th of next month before the closures take effect.",
		},
		actions: []string{"defended the decision", "said the board had no choice", "voted against the closures", "called for a delay"},
		quotes: []string{
			"No one goes into public service to close [schools|a school], but we cannot keep heating empty [classrooms|rooms]",
			"These schools are the [heart|centre] of their villages, and once they are gone they will not come [back|back again]",
			"We owe it to the children to put our money into [teaching|teachers], not into [leaking roofs|old boilers]",
			"The board made up its mind [months|weeks] ago and this consultation is a [formality|sham]",
			"I hear the parents, and I am [asking|urging] the board to give them more [time|notice]",
		},
	},
	{ // housing development
		headlines: []string{"{place} planners approve {n:120-900} homes on former rail yard", "Developer scales back {place} housing scheme after objections"},
		leads: []string{
			"The {org} in {place} approved plans on {day} for {n:120-900} homes on the site of a former rail yard, the largest development in the town in a generation.",
			"A developer has cut the number of homes in a proposed scheme in {place} from {n:400-900} to {n:150-350} after more than {n:200-800} objections from residents.",
		},
		narratives: []string{
			"About {n:10-25} percent of the homes will be offered at below-market rents, short of the {n:30-40} percent the town’s housing plan calls for.",
			"The site has been empty for {n:10-30} years and will need ${n:5-40} million of ground clearance before building can begin.",
			"Residents raised concerns about traffic on the two roads into the site, which already carry about {n:2-9},000 cars a day.",
			"Construction is expected to begin next spring and to take about {n:2-6} years.",
			"The scheme includes a new park of {n:3-15} acres and a health centre, both to be paid for by the developer.",
		},
		actions: []string{"welcomed the decision", "criticised the plans", "said the town needed the homes", "warned about the traffic"},
		quotes: []string{
			"Young people who grew up here cannot afford to [live|stay] here, and this is a [start|first step] toward changing that",
			"We are not against new homes. We are against [building|putting] them where the roads cannot [cope|take it]",
			"This site has been an [eyesore|embarrassment] for twenty years, and now it will be a neighbourhood",
			"The affordable share is [too low|far too low], and I will keep pressing the developer to [raise|increase] it",
			"Every [objection|concern] was read and considered, and the plans are better for it",
		},
	},
	{ // water quality
		headlines: []string{"Boil-water notice lifted in {place} after {n:3-14} days", "{place} water utility fined over river pollution"},
		leads: []string{
			"Residents of {place} can drink tap water again after a boil-water notice that lasted {n:3-14} days was lifted on {day}.",
			"The {org} serving {place} was fined ${n:100-900},000 on {day} after untreated sewage flowed into the river on {n:12-90} occasions last year.",
		},
		narratives: []string{
			"Tests found bacteria at {n:3-9} of the {n:20-40} sampling points in the network, and about {n:2-9},000 households were affected.",
			"Bottled water was handed out at {n:4-12} distribution points, and volunteers delivered to residents who could not leave their homes.",
			"The utility says it will spend ${n:20-90} million over the next {n:5-10} years to replace ageing pipes and a pumping station.",
			"Anglers reported dead fish along a stretch of about {n:2-9} miles downstream of the outflow.",
			"Bills are expected to rise by about {n:3-9} percent next year to pay for the repairs.",
		},
		actions: []string{"apologised to customers", "called the fine too small", "said the network was being rebuilt", "demanded an inquiry"},
		quotes: []string{
			"I want to apologise to every household that was [affected|hit], and I want to thank the volunteers who [helped|stepped in]",
			"A fine like this is a [rounding error|drop in the ocean] for a company of that size",
			"We are replacing pipes that were laid [a century|a hundred years] ago, and that work cannot be done [overnight|in a year]",
			"People deserve to know that the water coming out of their taps is [safe|clean], every single [day|time]",
			"The river has been treated as a [drain|sewer] for too long, and it has to [stop|end] now",
		},
	},
}
