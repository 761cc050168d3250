package io.syncline.console;

import java.util.List;

/** A small bar chart as inline SVG, drawn on the server: no script, no image request. */
final class Sparkline {

    private static final int WIDTH = 120;
    private static final int HEIGHT = 24;

    private Sparkline() {
    }

    /** One bar per value, oldest first; {@code label} is what a screen reader says. */
    static String svg(List<Long> values, String label) {
        StringBuilder out = new StringBuilder("<svg class=\"spark\" role=\"img\" width=\"" + WIDTH + "\" height=\""
                + HEIGHT + "\" viewBox=\"0 0 " + WIDTH + " " + HEIGHT + "\"><title>")
                .append(escape(label)).append("</title>");
        long max = values.stream().mapToLong(Long::longValue).max().orElse(0);
        if (!values.isEmpty() && max > 0) {
            double step = (double) WIDTH / values.size();
            for (int i = 0; i < values.size(); i++) {
                double h = Math.max(values.get(i) > 0 ? 1.5 : 0, (HEIGHT - 2) * values.get(i) / (double) max);
                out.append(String.format(java.util.Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                        i * step, HEIGHT - h, Math.max(1, step - 1), h));
            }
        } else {
            out.append("<line x1=\"0\" y1=\"" + (HEIGHT - 1) + "\" x2=\"" + WIDTH + "\" y2=\"" + (HEIGHT - 1) + "\"/>");
        }
        return out.append("</svg>").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
