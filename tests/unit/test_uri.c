/* mysql:// URIs and source names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "revpack/error.h"
#include "revpack/source.h"

static void test_full_uri(void **state)
{
	rp_mysql_params p;
	(void)state;

	assert_int_equal(rp_mysql_parse_uri("mysql://wp_user@db.example.org:3307/wordpress", &p), 0);
	assert_string_equal(p.user, "wp_user");
	assert_string_equal(p.host, "db.example.org");
	assert_int_equal(p.port, 3307);
	assert_string_equal(p.database, "wordpress");
	assert_null(p.socket);
	rp_mysql_params_free(&p);
}

static void test_minimal_and_socket(void **state)
{
	rp_mysql_params p;
	(void)state;

	assert_int_equal(rp_mysql_parse_uri("mysql:///site", &p), 0);
	assert_null(p.user);
	assert_null(p.host);
	assert_int_equal(p.port, 0);
	assert_string_equal(p.database, "site");
	rp_mysql_params_free(&p);

	assert_int_equal(rp_mysql_parse_uri("mysql://root@/wp?socket=/run/mysqld/mysqld.sock", &p), 0);
	assert_string_equal(p.user, "root");
	assert_null(p.host);
	assert_string_equal(p.socket, "/run/mysqld/mysqld.sock");
	assert_string_equal(p.database, "wp");
	rp_mysql_params_free(&p);
}

static void test_percent_decoding_and_ipv6(void **state)
{
	rp_mysql_params p;
	(void)state;

	assert_int_equal(rp_mysql_parse_uri("mysql://us%40er@[::1]:3306/my%20db", &p), 0);
	assert_string_equal(p.user, "us@er");
	assert_string_equal(p.host, "::1");
	assert_int_equal(p.port, 3306);
	assert_string_equal(p.database, "my db");
	rp_mysql_params_free(&p);
}

static void test_password_refused(void **state)
{
	rp_mysql_params p;
	(void)state;

	assert_int_equal(rp_mysql_parse_uri("mysql://user:secret@host/db", &p), -1);
	assert_int_equal(rp_error_kind(), RP_E_USAGE);
	assert_non_null(strstr(rp_error_message(), "MYSQL_PWD"));
	assert_null(strstr(rp_error_message(), "secret"));
	assert_int_equal(rp_mysql_parse_uri("mysql://user@host/db?password=secret", &p), -1);
	assert_null(strstr(rp_error_message(), "secret"));
	/* an empty password is a password too */
	assert_int_equal(rp_mysql_parse_uri("mysql://user:@host/db", &p), -1);
}

static void test_bad_uris(void **state)
{
	rp_mysql_params p;
	(void)state;

	assert_int_equal(rp_mysql_parse_uri("postgres://x/db", &p), -1);
	assert_int_equal(rp_error_kind(), RP_E_USAGE);
	assert_int_equal(rp_mysql_parse_uri("mysql://host", &p), -1);
	assert_int_equal(rp_mysql_parse_uri("mysql://host/", &p), -1);
	assert_int_equal(rp_mysql_parse_uri("mysql://host:99999/db", &p), -1);
	assert_int_equal(rp_mysql_parse_uri("mysql://host:12x/db", &p), -1);
	assert_int_equal(rp_mysql_parse_uri("mysql://host/db%2", &p), -1);
	assert_int_equal(rp_mysql_parse_uri("mysql://host/db%00x", &p), -1);
	assert_int_equal(rp_mysql_parse_uri("mysql://host/db?sslmode=x", &p), -1);
}

static void test_source_names(void **state)
{
	(void)state;
	assert_true(rp_source_name_valid("wp"));
	assert_true(rp_source_name_valid("site-2.prod_db"));
	assert_false(rp_source_name_valid(""));
	assert_false(rp_source_name_valid("../x"));
	assert_false(rp_source_name_valid("a/b"));
	assert_false(rp_source_name_valid(".hidden"));
	assert_false(rp_source_name_valid("-x"));
	assert_false(rp_source_name_valid("caf\xc3\xa9"));
	assert_false(rp_source_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 65 */
}

static void test_filter(void **state)
{
	const char *inc[] = { "wp_*" };
	const char *exc[] = { "*_log" };
	rp_filter f = { inc, 1, exc, 1 };
	rp_filter all = { NULL, 0, NULL, 0 };
	(void)state;

	assert_true(rp_filter_match(&f, "wp_posts"));
	assert_false(rp_filter_match(&f, "wp_audit_log"));
	assert_false(rp_filter_match(&f, "other"));
	assert_true(rp_filter_match(&all, "anything"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_uri),
		cmocka_unit_test(test_minimal_and_socket),
		cmocka_unit_test(test_percent_decoding_and_ipv6),
		cmocka_unit_test(test_password_refused),
		cmocka_unit_test(test_bad_uris),
		cmocka_unit_test(test_source_names),
		cmocka_unit_test(test_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
