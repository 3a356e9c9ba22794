package main

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestHistogram(t *testing.T) {
	t.Run("every value maps to a bucket that stands for it within 1 percent", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for range 100_000 {
			v := r.Uint64N(histMaxValue)
			got := bucketMiddle(bucketOf(v))
			if diff := float64(got) - float64(v); diff > float64(v)/100+1 || -diff > float64(v)/100+1 {
				t.Fatalf("value %d reported as %d", v, got)
			}
		}
	})
	t.Run("buckets are ordered and the last one holds the largest value", func(t *testing.T) {
		prev := -1
		for v := uint64(1); v < histMaxValue; v = v*3/2 + 1 {
			b := bucketOf(v)
			if b < prev {
				t.Fatalf("bucketOf(%d) = %d is below the previous bucket %d", v, b, prev)
			}
			prev = b
		}
		if got := bucketOf(histMaxValue); got != histBuckets-1 {
			t.Fatalf("bucketOf(max) = %d, want %d", got, histBuckets-1)
		}
	})
	t.Run("percentiles of 1..10000 microseconds are within 1 percent", func(t *testing.T) {
		var h histogram
		for i := 1; i <= 10_000; i++ {
			h.record(time.Duration(i) * time.Microsecond)
		}
		for _, q := range []struct {
			q    float64
			want time.Duration
		}{{0.5, 5 * time.Millisecond}, {0.9, 9 * time.Millisecond}, {0.99, 9900 * time.Microsecond}} {
			got := h.quantile(q.q)
			if got < q.want*99/100 || got > q.want*101/100 {
				t.Errorf("quantile(%v) = %v, want about %v", q.q, got, q.want)
			}
		}
		if h.min != time.Microsecond || h.max != 10*time.Millisecond || h.quantile(1) != h.max {
			t.Errorf("min %v max %v quantile(1) %v, want the exact extremes", h.min, h.max, h.quantile(1))
		}
		if m := h.mean(); m != 5000500*time.Nanosecond {
			t.Errorf("mean = %v, want 5.0005ms", m)
		}
	})
	t.Run("merging two halves gives the histogram of the whole", func(t *testing.T) {
		var whole, a, b histogram
		for i := 1; i <= 1000; i++ {
			d := time.Duration(i*i) * time.Nanosecond
			whole.record(d)
			if i%2 == 0 {
				a.record(d)
			} else {
				b.record(d)
			}
		}
		a.merge(&b)
		if a != whole {
			t.Fatal("merged histogram differs from the one that saw every value")
		}
	})
	t.Run("an empty histogram reports zeros", func(t *testing.T) {
		var h histogram
		if h.quantile(0.5) != 0 || h.mean() != 0 || h.max != 0 {
			t.Fatal("empty histogram reported a latency")
		}
	})
	t.Run("negative and huge latencies are clamped, not lost", func(t *testing.T) {
		var h histogram
		h.record(-time.Second)
		h.record(time.Duration(1) << 50)
		if h.n != 2 || h.counts[0] != 1 || h.counts[histBuckets-1] != 1 {
			t.Fatalf("n = %d, first bucket %d, last bucket %d", h.n, h.counts[0], h.counts[histBuckets-1])
		}
	})
}
