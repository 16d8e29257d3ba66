/*
** cli_ops.h: the operator's commands (issue 14):
**   kominkan user list --db FILE [--role R] [--center C] [--status S] [--q TEXT]
**   kominkan user disable|enable --db FILE --id SYSTEM_ID
**   kominkan user set-role --db FILE --id SYSTEM_ID --role R [--center CODE] [--ordinances DIR]
**   kominkan user reset-password --db FILE --id SYSTEM_ID      (password on standard input)
**   kominkan audit-verify --db FILE
** Each returns the process exit status.
*/
#ifndef KOMINKAN_CLI_OPS_H
#define KOMINKAN_CLI_OPS_H

/* ARGV[0] is the subcommand ("list", ...). 2 for usage errors, 1 on failure. */
int cli_user_ops(int argc, char **argv);
int cli_audit_verify(int argc, char **argv);
/* 1 if NAME is a `user` subcommand handled here. */
int cli_user_handles(const char *name);

#endif
