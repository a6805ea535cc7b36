/* SPDX-License-Identifier: MIT */
/*
 * The dashboard's files as compiled into the binary: each path served with its type, every
 * file the page refers to present, and no way in the script to turn data into markup.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "web/assets.h"

static bool contains(const struct web_asset *a, const char *needle)
{
        return memmem(a->data, a->len, needle, strlen(needle)) != NULL;
}

Test(assets, paths_and_types)
{
        const struct web_asset *a = web_asset_find("/");

        cr_assert_not_null(a);
        cr_assert_str_eq(a->path, "/index.html");
        cr_assert_str_eq(a->content_type, "text/html; charset=utf-8");
        cr_assert_gt(a->len, 100);
        cr_assert_eq(a->data[a->len], 0, "the data is NUL-terminated past its length");
        cr_assert_str_eq(web_asset_find("/app.js")->content_type, "text/javascript; charset=utf-8");
        cr_assert_str_eq(web_asset_find("/app.css")->content_type, "text/css; charset=utf-8");
        cr_assert_null(web_asset_find("/nope.js"));
        cr_assert_null(web_asset_find("/api/v1/units"));
        cr_assert_null(web_asset_find(""));
}

Test(assets, page_refers_to_embedded_files_only)
{
        const struct web_asset *index = web_asset_find("/index.html");

        cr_assert(contains(index, "src=\"app.js\""));
        cr_assert(contains(index, "href=\"app.css\""));
        cr_assert_not_null(web_asset_find("/app.js"));
        cr_assert_not_null(web_asset_find("/app.css"));
        cr_assert_not(contains(index, "http://"), "nothing from elsewhere");
        cr_assert_not(contains(index, "https://"), "nothing from elsewhere");
}

Test(assets, script_never_parses_markup)
{
        const struct web_asset *js = web_asset_find("/app.js");
        static const char *const banned[] = {"innerHTML",      "outerHTML", "insertAdjacentHTML",
                                             "document.write", "eval(",     "new Function"};

        for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
                cr_assert_not(contains(js, banned[i]), "app.js uses %s", banned[i]);
}
