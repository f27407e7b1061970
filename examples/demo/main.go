// Command demo is a small Go program for hark's demo pack: an "inventory"
// that fills maps and grows slices in a few phases, each its own function
// so probes can tell them apart.
package main

import (
	"fmt"
	"os"
	"strconv"
)

type item struct {
	sku   string
	count int
}

//go:noinline
func loadStock(n int) map[int]int {
	stock := make(map[int]int)
	for i := 0; i < n; i++ {
		stock[i] = i % 17
	}
	return stock
}

//go:noinline
func indexNames(n int) map[string]int {
	names := make(map[string]int)
	for i := 0; i < n; i++ {
		names["sku-"+strconv.Itoa(i)] = i
	}
	return names
}

//go:noinline
func buildOrders(n int) []item {
	var orders []item
	for i := 0; i < n; i++ {
		orders = append(orders, item{sku: "sku", count: i})
	}
	return orders
}

func main() {
	n := 5000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	stock := loadStock(n)
	names := indexNames(n / 5)
	orders := buildOrders(n / 10)
	fmt.Printf("demo: %d stock entries, %d names, %d orders\n", len(stock), len(names), len(orders))
}
