/*
** cli_import.h: `kominkan import accounts|groups|bookings --db FILE --from
** FILE.csv [--dry-run] [--ordinances DIR]` (core/import.h, docs/import.md).
*/
#ifndef KOMINKAN_CLI_IMPORT_H
#define KOMINKAN_CLI_IMPORT_H

/* ARGV[0] is the kind. 0 imported (or a clean dry run), 1 a file with
** problems (each printed as FILE:LINE: column: message) or a failure, 2 a
** usage error. */
int cli_import(int argc, char **argv);

#endif
