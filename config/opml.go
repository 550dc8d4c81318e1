package config

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/net/html/charset"
)

// maxOPMLSize bounds what ImportOPML reads.
const maxOPMLSize = 32 << 20

// ImportOPML reads the feeds of an OPML export, as every feed reader writes
// one (Feedly, Inoreader, NetNewsWire, Miniflux, ...): each <outline> with
// an xmlUrl attribute, at any depth of folders, named by its title or else
// its text attribute. Attribute and element names are matched regardless of
// case; "feed:" URLs are rewritten to http(s); a feed listed in several
// folders is returned once. URLs are returned as written otherwise:
// FeedsYAML comments out those Parse would refuse.
func ImportOPML(r io.Reader) ([]Feed, error) {
	dec := xml.NewDecoder(io.LimitReader(r, maxOPMLSize))
	dec.Strict = false // exports carry bare "&" and HTML entities
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = charset.NewReaderLabel
	var (
		feeds   []Feed
		seen    = map[string]bool{}
		started bool
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, fmt.Errorf("config: opml: line %d: %s", se.Line, se.Msg)
			}
			return nil, fmt.Errorf("config: opml: %w", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		name := strings.ToLower(el.Name.Local)
		if !started {
			if name != "opml" {
				return nil, fmt.Errorf("config: opml: not an OPML document (it starts with <%s>)", el.Name.Local)
			}
			started = true
			continue
		}
		if name != "outline" {
			continue
		}
		f, ok := outlineFeed(el.Attr)
		if !ok {
			continue // a folder
		}
		if k := feedKey(f.URL); !seen[k] {
			seen[k] = true
			feeds = append(feeds, f)
		}
	}
	if !started {
		return nil, errors.New("config: opml: not an OPML document (no <opml> element)")
	}
	if len(feeds) == 0 {
		return nil, errors.New("config: opml: no feeds in it (no outline has an xmlUrl)")
	}
	return feeds, nil
}

// outlineFeed returns the feed an outline names, if any.
func outlineFeed(attrs []xml.Attr) (Feed, bool) {
	var xmlURL, url, title, text, typ string
	for _, a := range attrs {
		v := strings.TrimSpace(a.Value)
		switch strings.ToLower(a.Name.Local) {
		case "xmlurl":
			xmlURL = v
		case "url":
			url = v
		case "title":
			title = v
		case "text":
			text = v
		case "type":
			typ = strings.ToLower(v)
		}
	}
	if xmlURL == "" && (typ == "rss" || typ == "atom") {
		xmlURL = url // some exporters write url= for feeds
	}
	if xmlURL == "" {
		return Feed{}, false
	}
	name := title
	if name == "" {
		name = text
	}
	name = strings.Join(strings.Fields(strings.ToValidUTF8(name, "\uFFFD")), " ")
	if name == xmlURL {
		name = ""
	}
	return Feed{URL: unFeedScheme(xmlURL), Name: name}, true
}

// unFeedScheme rewrites "feed://host/x" to "http://host/x" and
// "feed:https://host/x" to "https://host/x".
func unFeedScheme(u string) string {
	if len(u) < 5 || !strings.EqualFold(u[:5], "feed:") {
		return u
	}
	rest := u[5:]
	if strings.HasPrefix(rest, "//") {
		return "http:" + rest
	}
	return rest
}

// FeedsYAML writes feeds as the "feeds:" block of a configuration file,
// which Parse accepts on its own or appended to a file without feeds. A feed
// Parse would refuse (a bad URL, a duplicate) is written as a comment that
// says why, so nothing is lost silently.
func FeedsYAML(feeds []Feed) ([]byte, error) {
	var b bytes.Buffer
	if len(feeds) == 0 {
		b.WriteString("feeds: []\n")
		return b.Bytes(), nil
	}
	b.WriteString("feeds:\n")
	seen := map[string]int{}
	n := 0
	for _, f := range feeds {
		why := checkFeedURL(f.URL)
		if f.URL == "" {
			why = "no URL"
		}
		if why == "" && f.Schedule != "" {
			why = checkSchedule(f.Schedule)
		}
		if why == "" {
			if j, dup := seen[feedKey(f.URL)]; dup {
				why = fmt.Sprintf("same feed as feeds[%d]", j)
			}
		}
		prefix := "  "
		if why != "" {
			fmt.Fprintf(&b, "  # skipped: %s\n", oneLine(why))
			prefix = "  # "
		} else {
			seen[feedKey(f.URL)] = n
			n++
		}
		if why != "" {
			f.URL = redactURL(f.URL)
		}
		b.WriteString(feedItems([]Feed{f}, prefix))
	}
	return b.Bytes(), nil
}

// yamlScalar writes s plain when YAML reads it back as the same string,
// double-quoted otherwise.
func yamlScalar(s string) string {
	s = oneLine(strings.ToValidUTF8(s, "\uFFFD"))
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off": // booleans to YAML 1.1 readers
		return strconv.Quote(s)
	}
	if s != "" && !strings.ContainsAny(s, "\"\\\t") {
		var back struct{ V any }
		if err := yaml.Unmarshal([]byte("v: "+s+"\n"), &back); err == nil {
			if str, ok := back.V.(string); ok && str == s {
				return s
			}
		}
	}
	return strconv.Quote(s)
}
