// Package abrun measures two revisions of a Go module against each other:
// it checks a revision out in a temporary git worktree, builds "go test -c"
// binaries of the packages whose benchmarks a -bench pattern selects, runs
// the two sides interleaved in a balanced order, and captures CPU profiles
// of both sides doing the same work.
//
// Invariants the command relies on:
//   - A Worktree exists on disk and in "git worktree list" only between
//     AddWorktree and Remove; Remove runs without the caller's context, so
//     it works after an interrupt, and leaves neither the directory nor
//     git's record of it.
//   - Every git and go command runs with an explicit directory; the
//     process's working directory is never changed.
//   - Errors are values: ErrNotRepo, ErrUnknownRevision, ErrBuild,
//     ErrRun and ErrNoBenchmarks are matched with errors.Is.
package abrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

var (
	// ErrNotRepo: the directory is not inside a git work tree.
	ErrNotRepo = errors.New("not a git repository")
	// ErrUnknownRevision: git cannot resolve the revision to a commit.
	ErrUnknownRevision = errors.New("unknown revision")
)

// A Repo is the git work tree the command was started in.
type Repo struct {
	// Top is the work tree's root directory.
	Top string
	// Rel is the starting directory relative to Top ("." at the root):
	// package patterns like ./... are resolved from the same place in
	// every checkout.
	Rel string
}

// OpenRepo finds the git work tree containing dir.
func OpenRepo(ctx context.Context, dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	out, err := git(ctx, abs, "rev-parse", "--show-toplevel")
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("%w: git is not installed", ErrNotRepo)
		}
		return nil, fmt.Errorf("%s: %w", abs, ErrNotRepo)
	}
	top := strings.TrimSpace(out)
	// Symlinked temporary directories (macOS /var -> /private/var) make
	// git's answer and ours differ in spelling only.
	realAbs, err1 := filepath.EvalSymlinks(abs)
	realTop, err2 := filepath.EvalSymlinks(top)
	if err1 != nil || err2 != nil {
		realAbs, realTop = abs, top
	}
	rel, err := filepath.Rel(realTop, realAbs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("%s is not under the work tree %s: %w", abs, top, ErrNotRepo)
	}
	return &Repo{Top: top, Rel: rel}, nil
}

// Resolve returns the full commit hash that rev names.
func (r *Repo) Resolve(ctx context.Context, rev string) (string, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("%w %q", ErrUnknownRevision, rev)
	}
	out, err := git(ctx, r.Top, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("%w %q", ErrUnknownRevision, rev)
	}
	return strings.TrimSpace(out), nil
}

// Dirty reports whether the work tree differs from HEAD: modified,
// staged or untracked (not ignored) files, any of which a build sees.
func (r *Repo) Dirty(ctx context.Context) (bool, error) {
	out, err := git(ctx, r.Top, "status", "--porcelain")
	if err != nil {
		return false, err
	}
	return strings.TrimSpace(out) != "", nil
}

// A Worktree is a temporary checkout of one commit.
type Worktree struct {
	repo *Repo
	// Dir is the checkout's root; the packages are under Dir/Rel.
	Dir string
	// tmp is the directory holding Dir, removed with it.
	tmp string
}

// AddWorktree checks commit out, detached, in a new temporary directory.
// On error nothing is left behind.
func (r *Repo) AddWorktree(ctx context.Context, commit string) (*Worktree, error) {
	tmp, err := os.MkdirTemp("", "hprov-ab-worktree-")
	if err != nil {
		return nil, err
	}
	w := &Worktree{repo: r, Dir: filepath.Join(tmp, "src"), tmp: tmp}
	if _, err := git(ctx, r.Top, "worktree", "add", "--detach", "--quiet", w.Dir, commit); err != nil {
		w.Remove()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("git worktree add %s: %w", Short(commit), err)
	}
	return w, nil
}

// PkgDir is where package patterns are resolved in this checkout.
func (w *Worktree) PkgDir() string { return filepath.Join(w.Dir, w.repo.Rel) }

// Remove deletes the checkout and git's record of it. It does not take a
// context: it must run after an interrupt has cancelled everything else.
func (w *Worktree) Remove() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := git(ctx, w.repo.Top, "worktree", "remove", "--force", w.Dir)
	// Whatever git managed, the files go and the record is pruned: a
	// checkout git never registered, or one half-created, is gone too.
	if rerr := os.RemoveAll(w.tmp); err == nil {
		err = rerr
	}
	if _, perr := git(ctx, w.repo.Top, "worktree", "prune"); err != nil && perr == nil {
		// The directory is gone and the record pruned: that is removal.
		err = nil
	}
	return err
}

// git runs git -C dir args and returns its standard output; its error
// carries git's first line of complaint.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Never ask for credentials or an editor.
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_EDITOR=true")
	if err := cmd.Run(); err != nil {
		if msg := firstLine(stderr.String()); msg != "" {
			return "", fmt.Errorf("%s: %w", msg, err)
		}
		return "", err
	}
	return stdout.String(), nil
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// Short abbreviates a commit hash to 12 digits for messages.
func Short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
