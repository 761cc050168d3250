package io.syncline.console;

import java.util.List;
import java.util.Locale;

/** A small bar chart as inline SVG, drawn on the server: no script, no image request. */
final class Sparkline {

    private static final int WIDTH = 120;
    private static final int HEIGHT = 24;

    private Sparkline() {
    }

    /** At least this many slots, so a few values draw as a few thin bars, not as a few wide ones. */
    private static final int MIN_SLOTS = 24;

    /** One bar per value, oldest first, the newest at the right; {@code label} is what a screen reader says. */
    static String svg(List<Long> values, String label) {
        StringBuilder out = new StringBuilder("<svg class=\"spark\" role=\"img\" width=\"" + WIDTH + "\" height=\""
                + HEIGHT + "\" viewBox=\"0 0 " + WIDTH + " " + HEIGHT + "\"><title>")
                .append(escape(label)).append("</title>");
        long max = Math.max(1, values.stream().mapToLong(Long::longValue).max().orElse(0));
        if (values.isEmpty()) {
            out.append("<line x1=\"0\" y1=\"" + (HEIGHT - 1) + "\" x2=\"" + WIDTH + "\" y2=\"" + (HEIGHT - 1) + "\"/>");
        }
        double step = (double) WIDTH / Math.max(MIN_SLOTS, values.size());
        double left = WIDTH - step * values.size();
        for (int i = 0; i < values.size(); i++) {
            long v = values.get(i);
            // a run that changed nothing still shows, as a low pale bar
            double h = v > 0 ? Math.max(1.5, (HEIGHT - 2) * v / (double) max) : 2;
            out.append(String.format(Locale.ROOT,
                    "<rect%s x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", v > 0 ? "" : " class=\"zero\"",
                    left + i * step, HEIGHT - h, Math.max(1, step - 1), h));
        }
        return out.append("</svg>").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
