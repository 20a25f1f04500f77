package io.threatbridge.console;

import java.util.List;

/** The console's HTML: one layout, every value escaped, no script, no external resource. */
final class Page {

    static final String STYLE = """
            :root { font-family: system-ui, sans-serif; color: #1b1b1b; background: #fff; }
            body { margin: 0; }
            .skip { position: absolute; left: -1000px; }
            .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
            header { display: flex; gap: 2rem; align-items: center; background: #0b3d5c; color: #fff; padding: .6rem 1.5rem; }
            header a, header button { color: #fff; }
            header nav ul { display: flex; gap: 1.2rem; list-style: none; margin: 0; padding: 0; }
            header .who { margin-left: auto; display: flex; gap: .8rem; align-items: center; }
            main { padding: 1rem 1.5rem 2rem; }
            main > p, main > form, main > ul, main > ol, main > div { max-width: 60rem; }
            a:focus, button:focus, input:focus, select:focus { outline: 3px solid #f0a500; outline-offset: 2px; }
            button, .button { font: inherit; padding: .4rem .9rem; border: 1px solid #0b3d5c; border-radius: 4px;
                     background: #0b6e4f; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
            button.secondary { background: #fff; color: #0b3d5c; }
            header button { background: transparent; border-color: #fff; }
            table { border-collapse: collapse; width: 100%; font-size: .92rem; }
            caption { text-align: left; font-weight: 600; padding: .4rem 0; }
            th, td { border-bottom: 1px solid #ccc; padding: .4rem .5rem; text-align: left; vertical-align: top; }
            td form { display: inline; }
            td button { margin: 2px 0; white-space: nowrap; }
            td.actions { white-space: nowrap; }
            .state-UP { color: #0b6e4f; font-weight: 600; }
            .state-FAILING, .state-DISABLED, .state-PAUSED { color: #a4262c; font-weight: 600; }
            .message { border-left: 5px solid #0b6e4f; background: #eef7f2; padding: .6rem 1rem; margin: 1rem 0; }
            .message.error { border-color: #a4262c; background: #fbeeee; }
            .note { border-left: 5px solid #b36b00; background: #fff6e5; padding: .6rem 1rem; margin: 1rem 0; }
            label { display: block; font-weight: 600; margin-top: 1rem; }
            .hint { color: #444; font-size: .9rem; margin: .2rem 0; }
            input[type=text], input[type=password], select { font: inherit; padding: .35rem; min-width: 22rem; }
            fieldset { margin-top: 1rem; border: 1px solid #ccc; }
            fieldset label { display: inline; font-weight: normal; margin: 0; }
            .choice { margin: .4rem 0; }
            ol.steps li[aria-current] { font-weight: 700; }
            code { background: #f2f2f2; padding: 0 .2rem; }
            """;

    private Page() {
    }

    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A whole page; {@code user} null shows no navigation (login, errors before sign-in). */
    static String layout(String title, String user, String csrf, String body) {
        StringBuilder html = new StringBuilder(4096);
        html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(title)).append(" - threat-bridge console</title>")
                .append("<link rel=\"stylesheet\" href=\"/style.css\"></head><body>")
                .append("<a class=\"skip\" href=\"#main\">Skip to content</a><header><strong>threat-bridge console</strong>");
        if (user != null) {
            html.append("<nav aria-label=\"Main\"><ul><li><a href=\"/\">Threat Reporting</a></li>")
                    .append("<li><a href=\"/add\">Add integration</a></li></ul></nav>")
                    .append("<div class=\"who\"><span>Signed in as ").append(esc(user)).append("</span>")
                    .append("<form method=\"post\" action=\"/logout\">").append(csrfField(csrf))
                    .append("<button type=\"submit\">Sign out</button></form></div>");
        }
        html.append("</header><main id=\"main\"><h1>").append(esc(title)).append("</h1>").append(body).append("</main></body></html>\n");
        return html.toString();
    }

    static String csrfField(String csrf) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(csrf) + "\">";
    }

    static String message(Sessions.Flash flash) {
        if (flash == null) {
            return "";
        }
        return "<div class=\"message" + (flash.error() ? " error\" role=\"alert\"" : "\" role=\"status\"") + "><p>"
                + esc(flash.text()).replace("\n", "<br>") + "</p></div>";
    }

    static String steps(int current) {
        List<String> steps = List.of("API and consent", "Proof of the grant", "Name and filter level");
        StringBuilder html = new StringBuilder("<ol class=\"steps\" aria-label=\"Steps\">");
        for (int i = 0; i < steps.size(); i++) {
            html.append(i + 1 == current ? "<li aria-current=\"step\">" : "<li>").append(esc(steps.get(i))).append("</li>");
        }
        return html.append("</ol>").toString();
    }
}
