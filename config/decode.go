package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decode parses the YAML document b onto c: keys present in the document
// replace what c holds (a list replaces the whole list), keys absent or null
// leave it. It returns the line of each key path it set.
//
// The document is first read into a yaml.Node, then walked against the
// struct tags of Config, so that every error names its key path and line:
// yaml's own strict decoding (KnownFields) reports neither the path nor, for
// type errors, a usable message.
func decode(b []byte, c *Config) (map[string]int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := safeDecode(dec, &doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // empty file: defaults
		}
		return nil, yamlError(err, b)
	}
	var extra yaml.Node
	if err := safeDecode(dec, &extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, yamlError(err, b)
		}
		if !emptyDoc(&extra) {
			return nil, &Error{Line: extra.Line, Msg: `a second YAML document (after "---"): put everything in one`}
		}
	}
	d := &decoder{lines: map[string]int{}}
	if emptyDoc(&doc) {
		return d.lines, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		if r := resolve(root); r != nil && r.Kind == yaml.MappingNode {
			root = r
		} else {
			return nil, &Error{Line: root.Line, Msg: "want a mapping of keys (database:, feeds:, ...), got " + describe(root)}
		}
	}
	if err := d.value(root, root, reflect.ValueOf(c).Elem(), ""); err != nil {
		return nil, err
	}
	return d.lines, nil
}

func emptyDoc(doc *yaml.Node) bool {
	return doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || isNull(doc.Content[0])
}

// safeDecode turns a panic of the YAML library into an error: bad input
// must never crash stet.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse: %v", r)
		}
	}()
	return dec.Decode(n)
}

var (
	yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	anchorRE   = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

// lineWith returns the first line of src that holds s, or 0.
func lineWith(src []byte, s string) int {
	if i := bytes.Index(src, []byte(s)); i >= 0 {
		return bytes.Count(src[:i], []byte("\n")) + 1
	}
	return 0
}

// yamlError turns a syntax error of the YAML library into an *Error, with a
// hint for the two mistakes everyone makes.
func yamlError(err error, src []byte) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else if m := anchorRE.FindStringSubmatch(msg); m != nil {
		line = lineWith(src, "*"+m[1])
	} else {
		line = errorLine(src)
	}
	if h := yamlHint(src, line, msg); h != "" {
		msg += " (" + h + ")"
	}
	return &Error{Line: line, Msg: msg, Err: err}
}

// errorLine finds the line of a syntax error that the YAML library reported
// without one: it omits the line when the error is on the first line, so
// parse again behind an extra first line.
func errorLine(src []byte) int {
	dec := yaml.NewDecoder(io.MultiReader(strings.NewReader("#\n"), bytes.NewReader(src)))
	for {
		var n yaml.Node
		err := safeDecode(dec, &n)
		if err == nil {
			continue
		}
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			l, _ := strconv.Atoi(m[1])
			return max(l-1, 0)
		}
		return 0
	}
}

func yamlHint(src []byte, line int, msg string) string {
	if strings.Contains(msg, "unknown anchor") {
		return `a value that starts with * must be quoted: schedule: "*/30 * * * *"`
	}
	if !strings.Contains(msg, "cannot start any token") && !strings.Contains(msg, "alphabetic or numeric") {
		return ""
	}
	lines := strings.Split(string(src), "\n")
	for _, n := range []int{line, line - 1, line + 1} {
		if n < 1 || n > len(lines) {
			continue
		}
		l := lines[n-1]
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if strings.Contains(indent, "\t") {
			return "indent with spaces, not tabs"
		}
		v := l
		if _, after, ok := strings.Cut(l, ": "); ok {
			v = after
		} else {
			v = strings.TrimPrefix(strings.TrimSpace(l), "- ")
		}
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, "@") || strings.HasPrefix(v, "*") || strings.HasPrefix(v, "`") {
			return `a value that starts with @ or * must be quoted: schedule: "*/30 * * * *"`
		}
	}
	return ""
}

// decoder walks a yaml.Node tree onto a value.
type decoder struct {
	lines map[string]int
	steps int
}

// maxSteps bounds the work of a document whose aliases point at large
// subtrees many times.
const maxSteps = 1 << 20

var (
	durationType = reflect.TypeFor[Duration]()
	byteSizeType = reflect.TypeFor[ByteSize]()
	feedType     = reflect.TypeFor[Feed]()
)

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// resolve follows aliases; nil for a dangling or cyclic one.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 100 {
			return nil
		}
		n = n.Alias
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// value decodes n (reported at the position of at) into v.
func (d *decoder) value(n, at *yaml.Node, v reflect.Value, path string) error {
	d.steps++
	if d.steps > maxSteps {
		return &Error{Line: at.Line, Key: path, Msg: "document too large (too many aliases?)"}
	}
	if n.Kind == yaml.AliasNode {
		if n = resolve(n); n == nil {
			return &Error{Line: at.Line, Key: path, Msg: "alias that points nowhere"}
		}
	}
	want := func(what string) error {
		return &Error{Line: at.Line, Key: path, Msg: "want " + what + ", got " + describe(n)}
	}
	switch v.Type() {
	case durationType:
		if n.Kind != yaml.ScalarNode {
			return want("a duration like 30s, 10m, 6h or 7d")
		}
		t, err := ParseDuration(n.Value)
		if err != nil {
			return &Error{Line: at.Line, Key: path, Msg: err.Error(), Err: err}
		}
		v.SetInt(int64(t))
		return nil
	case byteSizeType:
		if n.Kind != yaml.ScalarNode {
			return want("a size like 1048576, 512KB or 20MiB")
		}
		s, err := ParseByteSize(n.Value)
		if err != nil {
			return &Error{Line: at.Line, Key: path, Msg: err.Error(), Err: err}
		}
		v.SetInt(int64(s))
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		return d.mapping(n, at, v, path)
	case reflect.Slice:
		return d.sequence(n, at, v, path)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return want("text")
		}
		v.SetString(n.Value)
		return nil
	case reflect.Int:
		if n.Kind != yaml.ScalarNode {
			return want("a whole number")
		}
		var i int64
		var err error
		if n.Tag == "!!int" {
			err = n.Decode(&i)
		} else {
			i, err = strconv.ParseInt(strings.TrimSpace(n.Value), 10, 64)
		}
		if err != nil || v.OverflowInt(i) {
			return want("a whole number")
		}
		v.SetInt(i)
		return nil
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode {
			return want("true or false")
		}
		switch strings.ToLower(strings.TrimSpace(n.Value)) {
		case "true", "yes", "on":
			v.SetBool(true)
		case "false", "no", "off":
			v.SetBool(false)
		default:
			return want("true or false")
		}
		return nil
	}
	panic("config: no decoder for " + v.Type().String())
}

func (d *decoder) mapping(n, at *yaml.Node, v reflect.Value, path string) error {
	if n.Kind != yaml.MappingNode {
		return &Error{Line: at.Line, Key: path, Msg: "want a mapping of keys, got " + describe(n)}
	}
	fields := fieldsOf(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return &Error{Line: k.Line, Key: path, Msg: "want a plain key name, got " + describe(k)}
		}
		name := k.Value
		kpath := join(path, name)
		if k.Tag == "!!merge" {
			return &Error{Line: k.Line, Key: path, Msg: `merge keys ("<<") are not supported: write the keys out`}
		}
		if first, dup := seen[name]; dup {
			return &Error{Line: k.Line, Key: kpath, Msg: fmt.Sprintf("given twice (first on line %d)", first)}
		}
		seen[name] = k.Line
		idx, ok := fields[name]
		if !ok {
			return unknownKey(k, path, name, fields)
		}
		d.lines[kpath] = k.Line
		if isNull(val) {
			continue // keep the default
		}
		if err := d.value(val, val, v.Field(idx), kpath); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) sequence(n, at *yaml.Node, v reflect.Value, path string) error {
	elem := v.Type().Elem()
	if n.Kind == yaml.ScalarNode && (elem.Kind() == reflect.String || elem == feedType) {
		// "to: editor@example.com" or "feeds: https://...": a list of one.
		n = &yaml.Node{Kind: yaml.SequenceNode, Line: n.Line, Column: n.Column, Content: []*yaml.Node{n}}
	}
	if n.Kind != yaml.SequenceNode {
		return &Error{Line: at.Line, Key: path, Msg: "want a list, got " + describe(n)}
	}
	if len(n.Content) == 0 {
		v.SetZero() // "to: []" is no recipients, like no key at all
		return nil
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, e := range n.Content {
		ep := fmt.Sprintf("%s[%d]", path, i)
		d.lines[ep] = e.Line
		r := resolve(e)
		if r == nil {
			return &Error{Line: e.Line, Key: ep, Msg: "alias that points nowhere"}
		}
		if isNull(r) {
			return &Error{Line: e.Line, Key: ep, Msg: "empty entry"}
		}
		if elem == feedType && r.Kind == yaml.ScalarNode {
			// "- https://example.com/rss.xml": a feed given by its URL alone.
			d.lines[ep+".url"] = e.Line
			s.Index(i).Field(fieldsOf(feedType)["url"]).SetString(r.Value)
			continue
		}
		if err := d.value(e, e, s.Index(i), ep); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

// fieldsOf maps the yaml names of t's fields to their index.
func fieldsOf(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	return m
}

// secretKeys are keys that would put a secret into the file.
var secretKeys = map[string]bool{
	"password": true, "passwd": true, "pass": true, "secret": true,
	"token": true, "api_key": true, "apikey": true, "bearer": true,
}

func unknownKey(k *yaml.Node, path, name string, fields map[string]int) error {
	kpath := join(path, name)
	envKey := ""
	if _, ok := fields[name+"_env"]; ok {
		envKey = join(path, name+"_env")
	} else if _, ok := fields["password_env"]; ok {
		envKey = join(path, "password_env")
	} else if _, ok := fields["token_env"]; ok {
		envKey = join(path, "token_env")
	}
	if secretKeys[strings.ToLower(name)] || envKey != "" && strings.HasSuffix(strings.ToLower(name), "password") {
		msg := "secrets are never read from the config file: put it in an environment variable"
		if envKey != "" {
			msg += " and give that variable's name in " + envKey
		}
		if strings.Contains(envKey, "password") {
			msg += ` (password_env: STET_SMTP_PASSWORD)`
		}
		return &Error{Line: k.Line, Key: kpath, Msg: msg}
	}
	msg := fmt.Sprintf("unknown key %q", name)
	if s := suggest(name, path, fields); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return &Error{Line: k.Line, Key: path, Msg: msg}
}

// suggest returns a known key close to name: a sibling within a small edit
// distance, or the same name at another place of the file.
func suggest(name, path string, fields map[string]int) string {
	best, bestD := "", 3
	if len(name) <= 4 {
		bestD = 2
	}
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	lname := strings.ToLower(strings.ReplaceAll(name, "-", "_"))
	for _, f := range names {
		if d := editDistance(lname, f); d < bestD {
			best, bestD = f, d
		}
	}
	if best != "" {
		return best
	}
	for _, p := range allKeys() {
		if strings.HasSuffix(p, "."+lname) || p == lname {
			if strings.Contains(p, "[]") {
				continue
			}
			return p
		}
	}
	return ""
}

// allKeys lists the key paths of Config ("smtp.host", "feeds[].url", ...).
func allKeys() []string {
	var out []string
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		names := make([]string, 0)
		f := fieldsOf(t)
		for n := range f {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			ft := t.Field(f[n]).Type
			p := join(path, n)
			out = append(out, p)
			switch {
			case ft.Kind() == reflect.Struct && ft != durationType && ft != byteSizeType:
				walk(ft, p)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				walk(ft.Elem(), p+"[]")
			}
		}
	}
	walk(reflect.TypeFor[Config](), "")
	return out
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// describe names what a node is, for "want X, got Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	return strconv.Quote(v)
}
