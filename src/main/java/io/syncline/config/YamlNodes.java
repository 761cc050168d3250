package io.syncline.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * YAML files read as node trees, so that every problem in a user's file (a route, a provider)
 * can name the line it is on.
 */
public final class YamlNodes {

    private YamlNodes() {
    }

    /** One problem, at a place in a file. */
    public record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    /**
     * A YAML file's node tree, with the lines of its parts; empty for an empty file, or (with the
     * problem added) for YAML that does not parse.
     */
    public static Optional<Node> compose(Path file, List<Problem> problems) throws IOException {
        return compose(file.toString(), Files.readString(file), problems);
    }

    /** As {@link #compose(Path, List)}, for a file's text as it was read (or resolved). */
    public static Optional<Node> compose(String name, String text, List<Problem> problems) {
        try {
            return new Compose(LoadSettings.builder().setLabel(name).build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            problems.add(new Problem(name, e.getProblemMark().map(m -> m.getLine() + 1).orElse(0),
                    "not valid YAML: " + e.getProblem()));
            return Optional.empty();
        }
    }

    public static String scalar(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : "";
    }

    public static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }
}
