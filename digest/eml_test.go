package digest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteEMLIdempotent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "digests") // created on first use
	msg := sampleMessage(t)

	p1, err := WriteEML(dir, msg)
	if err != nil {
		t.Fatal(err)
	}
	// The same digest built again (a retry after a crash) and written again.
	again, err := Build(sampleInput(t))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := WriteEML(dir, again)
	if err != nil {
		t.Fatal(err)
	}
	// A Message made from stored bytes only: name from its headers.
	p3, err := WriteEML(dir, &Message{Bytes: msg.Bytes})
	if err != nil {
		t.Fatal(err)
	}
	if p1 != p2 || p1 != p3 {
		t.Errorf("paths differ: %q, %q, %q", p1, p2, p3)
	}
	if want := filepath.Join(dir, "2026-11-25_stet-digest-9d47540fb4b8c4f73bd62ac501917c15@example.com.eml"); p1 != want {
		t.Errorf("path = %q, want %q", p1, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("dir holds %v, want one file", names)
	}
	got, err := os.ReadFile(p1)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(msg.Bytes) {
		t.Errorf("file content differs from the message")
	}
	parseMessage(t, got) // a mail client can open it

	// Another digest is another file.
	other := sampleInput(t)
	other.MessageID = MessageID([]int64{5}, "example.com")
	om, err := Build(other)
	if err != nil {
		t.Fatal(err)
	}
	p4, err := WriteEML(dir, om)
	if err != nil {
		t.Fatal(err)
	}
	if p4 == p1 {
		t.Errorf("two digests share the file %q", p4)
	}
}

func TestWriteEMLRefuses(t *testing.T) {
	dir := t.TempDir()
	for name, msg := range map[string]*Message{
		"nil":           nil,
		"empty":         {MessageID: "<a@b>"},
		"no message-id": {Bytes: []byte("Subject: x\r\n\r\nbody\r\n")},
		"path in id":    {MessageID: "<../../etc/passwd>", Bytes: []byte("Subject: x\r\n\r\nbody\r\n")},
	} {
		if p, err := WriteEML(dir, msg); err == nil {
			t.Errorf("%s: wrote %q", name, p)
		}
	}
	// An id with odd characters cannot leave the folder.
	p, err := WriteEML(dir, &Message{MessageID: "<../x/..@a/b>", Bytes: []byte("Subject: x\r\n\r\nbody\r\n")})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(p) != dir {
		t.Errorf("wrote outside the folder: %q", p)
	}
}
