package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Errors of the config file edits, for callers that branch on them.
var (
	// ErrFeedExists: the feed is already in the file.
	ErrFeedExists = errors.New("config: feed already watched")
	// ErrNoSuchFeed: no feed of the file has that URL.
	ErrNoSuchFeed = errors.New("config: no such feed")
	// ErrCannotEdit: the file's feeds: block is written in a form the edit
	// does not rewrite (a flow sequence with items, an alias); the error
	// says what to paste instead.
	ErrCannotEdit = errors.New("config: cannot edit the feeds block in place")
)

// The edits below change a configuration file as text, line by line, at the
// places the YAML parser reports, so that every comment, blank line, key
// order and quoting style outside the feeds touched stays byte for byte.
// Re-encoding the YAML tree would keep comments but not the user's layout.

// AddFeeds returns src with feeds appended to its feeds: block (one is
// created at the end when there is none). Feeds already in src, by the
// duplicate rule of Validate, are not added and are returned in skipped.
// The result is parsed and validated before it is returned.
func AddFeeds(src []byte, feeds []Feed) (out []byte, added, skipped []Feed, err error) {
	_, key, val, err := feedsNode(src)
	if err != nil {
		return nil, nil, nil, err
	}
	have := map[string]bool{}
	if val != nil && val.Kind == yaml.SequenceNode {
		for _, it := range val.Content {
			if u := mapValue(it, "url"); u != "" {
				have[feedKey(u)] = true
			}
		}
	}
	for _, f := range feeds {
		if msg := checkFeedURL(f.URL); msg != "" {
			return nil, nil, nil, &Error{Key: fmt.Sprintf("feed %q", redactURL(f.URL)), Msg: msg}
		}
		if have[feedKey(f.URL)] {
			skipped = append(skipped, f)
			continue
		}
		have[feedKey(f.URL)] = true
		added = append(added, f)
	}
	if len(added) == 0 {
		return src, nil, skipped, nil
	}
	lines := splitLines(src)
	switch {
	case key == nil: // no feeds: key at all
		block := "feeds:\n" + feedItems(added, "  ")
		out = appendBlock(src, block)
	case isNull(val) || val.Kind == yaml.SequenceNode && val.Style&yaml.FlowStyle != 0 && len(val.Content) == 0:
		// "feeds:" or "feeds: []": the key's line becomes "feeds:" and the
		// items follow it.
		i := key.Line - 1
		indent := lines[i][:key.Column-1]
		comment := ""
		if c := strings.TrimSpace(key.LineComment + val.LineComment); c != "" {
			comment = " " + c
		}
		repl := indent + "feeds:" + comment + "\n" + feedItems(added, indent+"  ")
		out = replaceLines(lines, i, i+1, repl)
	case val.Kind == yaml.SequenceNode && val.Style&yaml.FlowStyle == 0:
		first := val.Content[0]
		dash := dashIndent(lines[first.Line-1], first.Column)
		end := lastLine(val) // 1-based line of the last item's last value
		out = replaceLines(lines, end, end, feedItems(added, dash))
	default:
		return nil, nil, nil, fmt.Errorf("%w: its feeds: is written as %s; add these lines to it by hand:\n%s", ErrCannotEdit, describe(val), feedItems(added, "  "))
	}
	if _, err := Parse(bytes.NewReader(out)); err != nil {
		return nil, nil, nil, fmt.Errorf("config: the edited file would not load: %w", err)
	}
	return out, added, skipped, nil
}

// RemoveFeed returns src without the feed whose URL is url (by the
// duplicate rule of Validate): the lines of its item go, the rest stays.
func RemoveFeed(src []byte, url string) ([]byte, Feed, error) {
	_, key, val, err := feedsNode(src)
	if err != nil {
		return nil, Feed{}, err
	}
	if val == nil || val.Kind != yaml.SequenceNode {
		return nil, Feed{}, fmt.Errorf("%w: %s (the file has no feeds)", ErrNoSuchFeed, redactURL(url))
	}
	idx := -1
	for i, it := range val.Content {
		if feedKey(mapValue(it, "url")) == feedKey(url) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, Feed{}, fmt.Errorf("%w: %s", ErrNoSuchFeed, redactURL(url))
	}
	item := val.Content[idx]
	gone := Feed{URL: mapValue(item, "url"), Name: mapValue(item, "name"), Schedule: mapValue(item, "schedule")}
	if val.Style&yaml.FlowStyle != 0 {
		return nil, Feed{}, fmt.Errorf("%w: its feeds: is a flow sequence; remove %s from it by hand", ErrCannotEdit, redactURL(url))
	}
	lines := splitLines(src)
	start := item.Line - 1 // 0-based line of the item's "- "
	end := lastLine(item)  // 0-based exclusive end
	if idx+1 < len(val.Content) {
		// Up to the next item, but comment lines just above it are its own.
		end = val.Content[idx+1].Line - 1
		for end-1 > start && isCommentOrBlank(lines[end-1]) {
			end--
		}
	}
	if len(val.Content) == 1 {
		// The last feed: the key stays, as an empty list, so the file
		// still says where feeds go.
		k := key.Line - 1
		at := key.Column - 1 + len("feeds:")
		lines[k] = lines[k][:at] + " []" + lines[k][at:]
	}
	out := replaceLines(lines, start, end, "")
	if _, err := Parse(bytes.NewReader(out)); err != nil {
		return nil, Feed{}, fmt.Errorf("config: the edited file would not load: %w", err)
	}
	return out, gone, nil
}

// WriteFile replaces the file at path with b atomically (a temporary file in
// the same folder, renamed over it), keeping its permission bits.
func WriteFile(path string, b []byte) error {
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".stet-config-*")
	if err != nil {
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	return nil
}

// feedsNode parses src and returns its root mapping (nil for an empty
// document) and the feeds key and value (nil when there is none).
func feedsNode(src []byte) (root, key, val *yaml.Node, err error) {
	if _, err := Parse(bytes.NewReader(src)); err != nil {
		return nil, nil, nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, nil, nil, fmt.Errorf("config: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil, nil, nil
	}
	root = doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, nil, nil, nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "feeds" {
			v := root.Content[i+1]
			if v.Kind == yaml.AliasNode {
				return nil, nil, nil, fmt.Errorf("%w: feeds: is an alias", ErrCannotEdit)
			}
			return root, root.Content[i], v, nil
		}
	}
	return root, nil, nil, nil
}

// mapValue returns the scalar value of key in the mapping n.
func mapValue(n *yaml.Node, key string) string {
	if n == nil || n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Value
		}
	}
	return ""
}

// lastLine returns the 1-based line of the last node under n, which is the
// 0-based index of the line after it.
func lastLine(n *yaml.Node) int {
	l := n.Line
	for _, c := range n.Content {
		if m := lastLine(c); m > l {
			l = m
		}
	}
	return l
}

// dashIndent returns the indentation of the "- " that starts the sequence
// item whose first key is at column col (1-based) of line.
func dashIndent(line string, col int) string {
	i := strings.LastIndex(line[:min(col-1, len(line))], "-")
	if i < 0 {
		return "  "
	}
	return strings.Repeat(" ", i)
}

func splitLines(src []byte) []string {
	s := string(src)
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return strings.SplitAfter(s, "\n")
}

// replaceLines returns lines with lines[a:b] replaced by text.
func replaceLines(lines []string, a, b int, text string) []byte {
	var out bytes.Buffer
	for _, l := range lines[:a] {
		out.WriteString(l)
	}
	out.WriteString(text)
	for _, l := range lines[b:] {
		out.WriteString(l)
	}
	return out.Bytes()
}

// appendBlock appends a top-level block to src.
func appendBlock(src []byte, block string) []byte {
	var out bytes.Buffer
	out.Write(src)
	if len(src) > 0 && !bytes.HasSuffix(src, []byte("\n")) {
		out.WriteByte('\n')
	}
	trimmed := bytes.TrimSpace(src)
	if len(trimmed) > 0 && !bytes.HasSuffix(src, []byte("\n\n")) {
		out.WriteByte('\n')
	}
	out.WriteString(block)
	return out.Bytes()
}

func isCommentOrBlank(l string) bool {
	t := strings.TrimSpace(l)
	return t == "" || strings.HasPrefix(t, "#")
}

// feedItems writes feeds as sequence items with the dash at indent.
func feedItems(feeds []Feed, indent string) string {
	var b strings.Builder
	for _, f := range feeds {
		fmt.Fprintf(&b, "%s- url: %s\n", indent, yamlScalar(f.URL))
		if f.Name != "" {
			fmt.Fprintf(&b, "%s  name: %s\n", indent, yamlScalar(f.Name))
		}
		if f.Schedule != "" {
			fmt.Fprintf(&b, "%s  schedule: %s\n", indent, yamlScalar(f.Schedule))
		}
		if f.FullText {
			fmt.Fprintf(&b, "%s  full_text: true\n", indent)
		}
	}
	return b.String()
}
