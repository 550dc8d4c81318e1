package farm

import "testing"

func BenchmarkGenerate(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		Generate(1, i%100, i)
	}
}

func BenchmarkRenderFeed(b *testing.B) {
	arts := make([]*Article, 50)
	for i := range arts {
		arts[i] = Generate(1, 0, i)
	}
	for b.Loop() {
		renderFeed(1, 0, arts)
	}
}
