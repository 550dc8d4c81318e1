package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// Env is what a command may touch of the outside world. Tests build their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
}

// NewEnv returns the process's environment.
func NewEnv() *Env {
	return &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
}

// command is one subcommand of stet.
type command struct {
	name    string
	summary string
	usage   string // "stet NAME [flags] ARGS", first line of --help
	example string
	run     func(ctx context.Context, env *Env, args []string) error
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// exitError carries an exit status other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError is a wrong use of a command: exit status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// errSilent is returned when the command already printed what went wrong.
var errSilent = errors.New("")

// Run runs stet with args (without the program name) and returns the exit status.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		printHelp(env.Stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				c.run(ctx, env, []string{"--help"}) //nolint:errcheck // --help only prints the usage
				return 0
			}
			fmt.Fprintf(env.Stderr, "stet: unknown command %q\n", args[1])
			printHelp(env.Stderr)
			return 2
		}
		printHelp(env.Stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(env.Stderr, "stet: unknown command %q\n", name)
		printHelp(env.Stderr)
		return 2
	}
	err := c.run(ctx, env, args[1:])
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	if err != errSilent && err.Error() != "" {
		fmt.Fprintf(env.Stderr, "stet %s: %v\n", name, err)
	}
	if code == 2 {
		fmt.Fprintf(env.Stderr, "usage: %s\n", c.usage)
	}
	return code
}

// newFlagSet returns a flag set for c that prints c's usage, flags and example.
func newFlagSet(c *command, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: %s\n\n%s\n", c.usage, c.summary)
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintf(out, "\nflags:\n")
			fs.PrintDefaults()
		}
		if c.example != "" {
			fmt.Fprintf(out, "\nexample:\n  %s\n", c.example)
		}
	}
	return fs
}

// parseFlags parses args with fs; a bad flag is a usage error, --help prints
// usage to stdout and returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, env *Env, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(env.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(env.Stdout)
		fs.Usage()
		return flag.ErrHelp
	}
	if err != nil {
		return usageError("%v", err)
	}
	return nil
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "stet watches news feeds and reports silent edits to quotes, titles and headlines.\n\nusage: stet COMMAND [flags] [args]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nRun 'stet COMMAND --help' for a command's flags and an example.\n")
}

// oneLine folds an error message onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
