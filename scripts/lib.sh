# Shared by the scripts in this directory; source it, do not run it.
# Builds the hprov command once into a temporary directory (go run would
# turn every non-zero exit status into 1, and compare's 1 means
# "regression" while 2 means "bad input").

cd "$(dirname "${BASH_SOURCE[0]}")/.."
HPROV_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hprov-scripts.XXXXXX")
trap 'rm -rf "$HPROV_TMP"' EXIT
HPROV="$HPROV_TMP/hprov"
go build -o "$HPROV" ./cmd/hprov

# commit_id prints the short hash of HEAD, with -dirty when the work tree
# has uncommitted changes, or "unknown" outside git.
commit_id() {
	local c
	c=$(git rev-parse --short=12 HEAD 2>/dev/null) || { echo unknown; return; }
	if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
		c="$c-dirty"
	fi
	echo "$c"
}

# cpu_model prints the CPU's model name with its family, model and stepping
# (two VMs can both say "Intel(R) Xeon(R) Processor" and be different parts).
cpu_model() {
	awk -F': ' '
		/^model name/ && !n { n = $2 }
		/^cpu family/ && !f { f = $2 }
		/^model[ \t]*:/ && !m { m = $2 }
		/^stepping/ && !s { s = $2 }
		END { printf "%s (family %s model %s stepping %s)\n", n, f, m, s }
	' /proc/cpuinfo 2>/dev/null || uname -m
}
