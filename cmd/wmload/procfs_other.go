//go:build !linux

package main

import "errors"

func sampleTree(int) (memorySample, error) {
	return memorySample{}, errors.New("-server-pid reads /proc, which only Linux has")
}

// selfCPU is unknown here: the report leaves it out.
func selfCPU() float64 { return 0 }
