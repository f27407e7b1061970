// Command cgo mixes Go and C functions, for hark's ABI tests: C functions
// take arguments in the C ABI (rdi, rsi), Go functions in Go's register ABI
// (rax, rbx).
package main

/*
__attribute__((noinline)) long c_add(long a, long b) { return a + b; }
*/
import "C"

import "fmt"

//go:noinline
func goAdd(a, b int) int { return a + b }

func main() {
	s := 0
	for i := 0; i < 5; i++ {
		s += int(C.c_add(C.long(i), 100))
		s += goAdd(i, 200)
	}
	fmt.Println("cgo", s)
}
