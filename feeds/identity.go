package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// trackingParams are query parameters that identify a campaign or a click,
// never the article. utm_* is matched by prefix.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true,
	"wbraid": true, "msclkid": true, "yclid": true, "twclid": true, "ttclid": true,
	"igshid": true, "li_fat_id": true, "mc_cid": true, "mc_eid": true,
	"_hsenc": true, "_hsmi": true, "__hstc": true, "__hssc": true, "__hsfp": true,
	"hsctatracking": true, "mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true,
	"vero_id": true, "vero_conv": true, "_openstat": true, "wickedid": true,
	"rb_clickid": true, "s_cid": true, "ito": true, "at_medium": true, "at_campaign": true,
}

func isTracking(name string) bool {
	n := strings.ToLower(name)
	return strings.HasPrefix(n, "utm_") || trackingParams[n]
}

// CleanLink resolves raw against base and removes tracking parameters,
// keeping every other parameter as written and in order. It returns ""
// for a link that is not, or cannot be made, an absolute http(s) URL.
func CleanLink(raw, base string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 8192 {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if !u.IsAbs() {
		b, err := url.Parse(base)
		if err != nil || !b.IsAbs() {
			return ""
		}
		u = b.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Host = strings.ToLower(u.Host)
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		kept := parts[:0]
		for _, p := range parts {
			name, _, _ := strings.Cut(p, "=")
			if un, err := url.QueryUnescape(name); err == nil {
				name = un
			}
			if p == "" || isTracking(name) {
				continue
			}
			kept = append(kept, p)
		}
		u.RawQuery = strings.Join(kept, "&")
		u.ForceQuery = false
	}
	return u.String()
}

func isAbsHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func firstAbs(ss ...string) string {
	for _, s := range ss {
		if isAbsHTTP(strings.TrimSpace(s)) {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func hashKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "h:" + hex.EncodeToString(h.Sum(nil))
}

// draft is an item before its identity within the document is settled.
type draft struct {
	src     *gofeed.Item
	guid    string
	link    string
	title   string
	dateRaw string
	date    time.Time
	key     string
}

// buildItems turns gofeed items into Items with keys unique within the
// document. The rules, in order:
//
//   - Items with distinct GUIDs are distinct articles, even when their
//     links repeat.
//   - A GUID is an identity only if every item carrying it has the same
//     link and title. A GUID shared by items that differ (some feeds give
//     every item the site's URL, or a constant) is no identity: those items
//     get GUID "" and are keyed as if they had none. The choice keeps
//     every article; nothing in the document can tell which one "owns" the
//     GUID, and a suffix by position would change keys whenever the feed
//     reorders.
//   - Without a GUID, the cleaned link is the key, if every GUID-less item
//     with that link has the same title; otherwise those items are keyed by
//     hash ("h:"+sha256 of title and raw date; of the content when both are
//     empty).
//   - Exact repeats (same key) are one article: the first in the document
//     is kept, the others dropped and counted in Feed.Dropped.
//   - Items with nothing to know them by (no GUID, link, title, date or
//     content) are dropped.
//   - At most MaxItems are kept; when there are more, the newest by date
//     (undated last, document order for ties).
func buildItems(src []*gofeed.Item, base string, o ParseOptions) ([]Item, int) {
	now := o.Now()
	ds := make([]draft, 0, len(src))
	dropped := 0
	for _, it := range src {
		if it == nil {
			dropped++
			continue
		}
		d := draft{src: it}
		d.guid = strings.TrimSpace(it.GUID)
		if len(d.guid) > maxGUID {
			d.guid = "sha256:" + strings.TrimPrefix(hashKey(d.guid), "h:")
		}
		link := it.Link
		if strings.TrimSpace(link) == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		d.link = CleanLink(link, base)
		d.title = capRunes(plainText(capBytes(it.Title, maxRawTitle)), o.MaxTitle)
		d.dateRaw = strings.TrimSpace(it.Published)
		parsed := it.PublishedParsed
		if d.dateRaw == "" && parsed == nil {
			d.dateRaw = strings.TrimSpace(it.Updated)
			parsed = it.UpdatedParsed
		}
		d.dateRaw = oneLine(d.dateRaw, maxDateRaw)
		d.date = saneDate(parsed, now)
		ds = append(ds, d)
	}

	// A GUID or link is an identity only if all items carrying it agree.
	type seen struct {
		link, title string
		mixed       bool
	}
	byGUID := map[string]*seen{}
	for _, d := range ds {
		if d.guid == "" {
			continue
		}
		if s := byGUID[d.guid]; s == nil {
			byGUID[d.guid] = &seen{link: d.link, title: d.title}
		} else if s.link != d.link || s.title != d.title {
			s.mixed = true
		}
	}
	for i := range ds {
		if s := byGUID[ds[i].guid]; s != nil && s.mixed {
			ds[i].guid = ""
		}
	}
	byLink := map[string]*seen{}
	for _, d := range ds {
		if d.guid != "" || d.link == "" {
			continue
		}
		if s := byLink[d.link]; s == nil {
			byLink[d.link] = &seen{title: d.title}
		} else if s.title != d.title {
			s.mixed = true
		}
	}

	keys := map[string]bool{}
	kept := make([]int, 0, len(ds))
	for i := range ds {
		d := &ds[i]
		switch {
		case d.guid != "":
			d.key = d.guid
		case d.link != "" && !byLink[d.link].mixed:
			d.key = d.link
		case d.title != "" || d.dateRaw != "":
			d.key = hashKey(d.title, d.dateRaw)
		default:
			content := d.src.Content
			if strings.TrimSpace(content) == "" {
				content = d.src.Description
			}
			if strings.TrimSpace(content) == "" {
				dropped++
				continue
			}
			d.key = hashKey("", "", content)
		}
		if keys[d.key] {
			dropped++
			continue
		}
		keys[d.key] = true
		kept = append(kept, i)
	}

	if len(kept) > o.MaxItems {
		dates := make([]time.Time, len(ds))
		for i := range ds {
			dates[i] = ds[i].date
		}
		newestFirst(kept, dates)
		dropped += len(kept) - o.MaxItems
		kept = kept[:o.MaxItems]
		// Back to document order.
		slices.Sort(kept)
	}

	items := make([]Item, 0, len(kept))
	for _, i := range kept {
		d := ds[i]
		content := d.src.Content
		if strings.TrimSpace(content) == "" {
			content = d.src.Description
		}
		items = append(items, Item{
			GUID:      d.guid,
			Link:      d.link,
			Key:       d.key,
			Title:     d.title,
			Text:      capBytes(HTMLToText(capBytes(content, maxRawContent)), o.MaxText),
			Published: d.date,
			DateRaw:   d.dateRaw,
		})
	}
	return items, dropped
}
