#!/bin/sh
# make lint: no function in backend/ longer than 120 lines (issue 19, STYLE.md).
# A function runs from a line starting at column 0 with its opening "{" (or
# a line of its head) to the first "}" at column 0. Prints each one over the
# limit as FILE:LINE: NAME: N lines and exits 1.
max=${FUNC_MAX_LINES:-120}
status=0
for f in $(find backend tools -name '*.c' | sort); do
  awk -v max="$max" -v file="$f" '
    /^[A-Za-z_].*\(/ && !/;[ \t]*$/ && !/^(typedef|struct [a-z_]+ \{|enum|static const|const)/ { head = NR; name = $0 }
    /\{[ \t]*$/ && head && !inbody { if (/^[A-Za-z_]/ || NR - head < 4) { inbody = 1; start = head } }
    /^\}/ && inbody {
      n = NR - start + 1
      sub(/\(.*/, "", name)
      if (n > max) { printf "%s:%d: %s: %d lines (at most %d)\n", file, start, name, n, max; bad = 1 }
      inbody = 0; head = 0
    }
    END { exit bad }' "$f" || status=1
done
exit $status
