#!/bin/sh
# make lint: the layers (docs/architecture.md, issue 19).
#  - backend/core never includes microhttpd.h or anything in http/;
#  - only backend/store includes sqlite3.h;
#  - the core modules call one another in one direction only: the modules'
#    #include graph (a module is a file's name up to its first "_":
#    bookings_create.c is bookings; course_apps.c is courses) has no loop.
#    A lower module that needs something of a higher one takes it as data
#    or a hook; it never includes its header.
# Prints what is wrong and exits 1.
status=0
bad=$(grep -ln '#include *[<"]\(microhttpd\.h\|\.\./http/\)' backend/core/*.c backend/core/*.h)
[ -z "$bad" ] || { echo "lint: core includes http: $bad"; status=1; }
bad=$(grep -ln '#include *<sqlite3\.h>' $(find backend tools -name '*.[ch]' ! -path 'backend/store/*'))
[ -z "$bad" ] || { echo "lint: sqlite3.h outside store/: $bad"; status=1; }
module() { m=${1%.[ch]}; m=${m%%_*}; [ "$m" = course ] && m=courses; echo "$m"; }
edges=$(for f in backend/core/*.c; do
  m=$(module "$(basename "$f")")
  for h in $(sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f"); do
    hm=$(module "$h.h"); [ "$hm" = "$m" ] || echo "$hm $m"
  done
done | sort -u)
loop=$(echo "$edges" | tsort 2>&1 >/dev/null)
if [ -n "$loop" ]; then
  echo "lint: the core modules include each other in a loop (a lower module calls a higher one):"
  echo "$loop" | sed -n 's/^tsort: \([a-z]*\)$/  \1/p'
  status=1
fi
[ $status = 0 ] && echo "lint: ok (layers: core without http, sqlite3.h only in store, no loop among core modules)"
exit $status
