package io.syncline.support;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a browser does with a redirect flow, without a browser: it keeps cookies per origin and
 * follows each 3xx to its Location, until it reaches a page or a URL it is told to stop at (a
 * return URL that no test serves). Each instance is one browser, with its own cookies.
 */
public final class HttpBrowser {

    /** Where the browser ended: the last answer, or the URL it stopped at without asking for it. */
    public record Landing(HttpResponse<String> page, URI stoppedAt) {
    }

    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

    public HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens {@code url} and follows redirects, at most ten, stopping before any URL that starts with {@code stopAt}. */
    public Landing follow(String url, String stopAt) throws IOException, InterruptedException {
        URI next = URI.create(url);
        for (int hops = 0; hops < 10; hops++) {
            if (stopAt != null && next.toString().startsWith(stopAt)) {
                return new Landing(null, next);
            }
            HttpResponse<String> r = get(next.toString());
            if (r.statusCode() / 100 != 3) {
                return new Landing(r, null);
            }
            next = next.resolve(r.headers().firstValue("Location").orElseThrow());
        }
        throw new IllegalStateException("more than ten redirects from " + url);
    }


    /** The href of the link with that id on an HTML page, as the browser would read it. */
    public static String link(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\" href=\"([^\"]*)\"").matcher(html);
        if (!m.find()) {
            throw new AssertionError("no link #" + id + " on the page:\n" + html);
        }
        return m.group(1).replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", "\"");
    }
}
