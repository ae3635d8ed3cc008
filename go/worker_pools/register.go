package workerpools

import "perfworkbook/internal/ev"

func init() {
	ev.Register("worker_pools", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C000-15": c00015,
		"C000-16": c00016,
		"C000-17": c00017,
		"C000-21": blockedReads,
		"C000-23": func(c *ev.Ctx) (*ev.Evidence, error) { return batches.Get(c) },
		"C000-24": func(c *ev.Ctx) (*ev.Evidence, error) { return batches.Get(c) },
		"C003-30": c00330,
		"C003-31": semaphore,
		"D13":     c00017,
		"D14":     d14,
		"D19":     d19,
		"D20":     d20,
		"D21":     d21,
		"D22":     func(c *ev.Ctx) (*ev.Evidence, error) { return batches.Get(c) },
		"D23":     func(c *ev.Ctx) (*ev.Evidence, error) { return batches.Get(c) },
		"D50":     d50,
		"D57":     c00330,
		"D74":     d74,
		"D75":     d75,
	})
}
