package feeds

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParse parses real news feeds from the shared corpus, HTML
// content and all, and reports items per second.
//
//	go test -run '^$' -bench Parse -benchmem ./feeds
func BenchmarkParse(b *testing.B) {
	for _, tt := range []struct{ name, file, contentType string }{
		{"TechCrunch-rss", "feedjira__TechCrunch.xml", "application/rss+xml; charset=UTF-8"},
		{"large-atom", "miniflux__large_atom.xml", "application/atom+xml"},
		{"iso-8859-1-rss", "miniflux__encoding_ISO-8859-1.xml", "text/xml"},
		{"jsonfeed", "feedjira__json_feed.json", "application/feed+json"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			body, err := os.ReadFile(filepath.Join(realFeedsDir, tt.file))
			if err != nil {
				b.Skipf("real feeds not available: %v", err)
			}
			f, err := Parse(body, tt.contentType, "https://example.com/feed")
			if err != nil {
				b.Fatal(err)
			}
			items := len(f.Items)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Parse(body, tt.contentType, "https://example.com/feed"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(items*b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
