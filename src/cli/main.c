/* revpack: command dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const cli_command commands[] = {
	{ "export", cmd_export, "export databases into a verified BagIt package" },
	{ "verify", cmd_verify, "prove a package intact, without its sources" },
	{ "digest", cmd_digest, "print the content digest of every table of a live database" },
};

static void usage(FILE *f)
{
	fprintf(f,
	        "revpack %s: prove that a hosted website's data can be handed back.\n\n"
	        "Usage: revpack COMMAND [OPTIONS]\n\nCommands:\n",
	        REVPACK_VERSION);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'revpack COMMAND --help' describes a command's options.\n"
	           "Exit codes: 0 success, 1 findings (invalid package), 2 usage error, 3 could not run.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("revpack %s\n", REVPACK_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name)) {
			/* getopt names the program by argv[0] in its messages */
			char prog[32];
			snprintf(prog, sizeof prog, "revpack %s", commands[i].name);
			argv[1] = prog;
			return commands[i].run(argc - 1, argv + 1);
		}
	fprintf(stderr, "revpack: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
