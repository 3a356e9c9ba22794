package http

import "sync/atomic"

// statuses counts the responses of this process by status class, 1xx to
// 5xx, as they are encoded: one atomic add per response.
var statuses [5]atomic.Uint64

func countStatus(status int) {
	if c := status/100 - 1; c >= 0 && c < len(statuses) {
		statuses[c].Add(1)
	}
}

// uncountStatus takes back a status counted for a head that was replaced.
func uncountStatus(status int) {
	if c := status/100 - 1; c >= 0 && c < len(statuses) {
		statuses[c].Add(^uint64(0))
	}
}

// StatusCounts returns how many responses this process has written in each
// status class: [0] is 1xx, [4] is 5xx. Interim 100 Continue replies count
// as 1xx. Safe from any goroutine.
func StatusCounts() [5]uint64 {
	var out [5]uint64
	for i := range statuses {
		out[i] = statuses[i].Load()
	}
	return out
}
