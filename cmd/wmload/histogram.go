package main

import (
	"math/bits"
	"time"
)

// A histogram counts latencies in log-linear buckets: every power of two is
// split into 128 equal buckets, so a reported percentile is within 0.8 % of
// the true sample. Recording is an array increment, and merging the
// histograms of many connections is exact, which a list of samples or a
// running average is not.
type histogram struct {
	counts   [histBuckets]uint64
	n        uint64
	sum      time.Duration
	min, max time.Duration
}

const (
	histSubBits = 7
	histSub     = 1 << histSubBits
	// Latencies are clamped to 2^40 ns (18 minutes), far past any run.
	histMaxValue = 1<<40 - 1
	histBuckets  = (40-histSubBits)*histSub + histSub
)

// bucketOf returns the bucket of v nanoseconds. Values below 2*histSub have a
// bucket each; above, the top histSubBits+1 bits of v choose the bucket.
func bucketOf(v uint64) int {
	if v < 2*histSub {
		return int(v)
	}
	e := bits.Len64(v) - (histSubBits + 1)
	return (e+1)*histSub + int(v>>e) - histSub
}

// bucketMiddle is the value a bucket stands for when it is reported.
func bucketMiddle(i int) uint64 {
	if i < 2*histSub {
		return uint64(i)
	}
	e := i/histSub - 1
	low := uint64(i%histSub+histSub) << e
	return low + (uint64(1)<<e)/2
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	v := uint64(d)
	if v > histMaxValue {
		v = histMaxValue
	}
	h.counts[bucketOf(v)]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.n++
	h.sum += d
}

func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
}

// quantile returns the latency below which a fraction q of the samples fall
// (0 when there are none). The extremes are exact.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	if rank < 1 {
		rank = 1
	}
	if rank >= h.n {
		return h.max
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(max(time.Duration(bucketMiddle(i)), h.min), h.max)
		}
	}
	return h.max
}

func (h *histogram) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}
