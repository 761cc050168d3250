package io.syncline.console;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.syncline.api.ApiKeyFilter;
import io.syncline.api.Caller;
import io.syncline.http.ProblemException;

/**
 * What every console page shares: who is signed in, whether their key may do what the page
 * does, and the page frame. A page states the API path it stands for, and the scope is the one
 * {@link ApiKeyFilter} asks of that path, so the console and the API cannot disagree on who may
 * do what. Actions call the API's own resources, so validation and replay rules are the API's.
 */
@ApplicationScoped
public class Console {

    /** Sends the browser to the sign-in page, and back here afterwards. */
    public static final class SignInRequired extends RuntimeException {
        public SignInRequired() {
            super("sign in first", null, false, false);
        }
    }

    /** A refusal shown as a page: the status and what went wrong, in words. */
    public static final class Refusal extends RuntimeException {
        private final int status;

        public Refusal(int status, String detail) {
            super(detail, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final ConsoleSession session;
    private final Caller caller;

    public Console(ConsoleSession session, Caller caller) {
        this.session = session;
        this.caller = caller;
    }

    /** The signed-in viewer, if their key has the scope that {@code apiPath} needs. */
    public ConsoleSession.Viewer require(HttpHeaders headers, String apiPath) {
        Cookie cookie = headers.getCookies().get(ConsoleSession.COOKIE);
        ConsoleSession.Viewer viewer = session.viewer(cookie == null ? null : cookie.getValue())
                .orElseThrow(SignInRequired::new);
        String scope = ApiKeyFilter.scopeFor(apiPath);
        if (scope != null && !viewer.principal().may(scope)) {
            throw new Refusal(403, "The key you signed in with lacks the scope '" + scope + "' that this page needs.");
        }
        caller.set(viewer.principal()); // the API resources the page calls hold it to the key's limits
        return viewer;
    }

    /** As {@link #require}, for a form: its token must be the session's. */
    public ConsoleSession.Viewer requireForm(HttpHeaders headers, String apiPath, String formToken) {
        ConsoleSession.Viewer viewer = require(headers, apiPath);
        if (!ConsoleSession.sameToken(viewer, formToken)) {
            throw new Refusal(403,
                    "The form has expired or did not come from this console. Reload the page and try again.");
        }
        return viewer;
    }

    /** Runs an API call; its refusal becomes the page's. */
    public static <T> T call(Supplier<T> api) {
        try {
            return api.get();
        } catch (ProblemException e) {
            throw new Refusal(e.problem().status(), e.problem().detail());
        }
    }

    /** A page in the console's frame. {@code section} marks the navigation entry. */
    public static TemplateInstance page(Template template, ConsoleSession.Viewer viewer, String section, String title) {
        return template.data("viewer", viewer).data("section", section).data("title", title).data("notice", null)
                .data("error", null);
    }

    /** As above, showing the notice or error that an action left in the query string. */
    public static TemplateInstance page(Template template, ConsoleSession.Viewer viewer, String section, String title,
            UriInfo uri) {
        return page(template, viewer, section, title).data("notice", uri.getQueryParameters().getFirst("notice"))
                .data("error", uri.getQueryParameters().getFirst("error"));
    }

    /** After an action: back to a page, with a line saying what happened (or what failed). */
    public static Response back(String path, String notice) {
        return redirect(path, "notice", notice);
    }

    public static Response failed(String path, String error) {
        return redirect(path, "error", error);
    }

    private static Response redirect(String path, String param, String text) {
        return Response.seeOther(URI.create(path + (path.contains("?") ? "&" : "?") + param + "="
                + URLEncoder.encode(text, StandardCharsets.UTF_8))).build();
    }

    /**
     * A path to send the browser to, if it is one under {@code prefix} that is a valid URI with no
     * space, control character, backslash or second host; otherwise {@code fallback}.
     */
    public static String inside(String path, String prefix, String fallback) {
        if (path == null || !(path.equals(prefix) || path.startsWith(prefix + "/") || path.startsWith(prefix + "?"))
                || path.startsWith("//") || path.contains("\\") || path.length() > 2000
                || path.chars().anyMatch(ch -> ch <= ' ' || ch == 0x7f)) {
            return fallback;
        }
        try {
            URI.create(path);
            return path;
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    /** A form or query value, or null when it is empty: the API's "not given". */
    public static String blank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    public static String encode(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }
}
