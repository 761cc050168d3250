package io.syncline.routes;

import static io.syncline.config.YamlNodes.compose;
import static io.syncline.config.YamlNodes.line;
import static io.syncline.config.YamlNodes.scalar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import io.syncline.config.ParamTypes;
import io.syncline.config.TemplateParams;
import io.syncline.config.YamlNodes.Problem;
import io.syncline.events.EventSyncKamelet;
import io.syncline.mapping.MappingLoader;
import io.syncline.oauth.OAuthProvider;
import io.syncline.oauth.OAuthProviders;
import io.syncline.schedule.PollSyncKamelet;
import io.syncline.sqlsource.Groups;
import io.syncline.steps.Step;
import io.syncline.twoway.Ownership;
import org.apache.camel.RouteTemplateContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.DefaultRouteTemplateContext;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Checks the syncs in a routes directory without starting the service, so that CI can run it on
 * a team's route changes: {@code ./mvnw -q exec:java@validate} (or with {@code -Droutes=DIR}).
 * Every problem names the file, the line and what was expected: unknown keys, unknown templates
 * or template parameters, missing required ones, broken JSONPaths, and mapping files that do
 * not load.
 */
public final class RouteValidator {

    private static final Set<String> TEMPLATED_ROUTE_KEYS = Set.of("routeTemplateRef", "routeId", "parameters",
            "beans", "prefixId");
    /** Options of Camel's kamelet component itself, allowed beside a Kamelet's parameters. */
    private static final Set<String> KAMELET_OPTIONS = Set.of("routeId", "templateId", "location", "uuid",
            "bridgeErrorHandler", "noErrorHandler", "exchangePattern", "lazyStartProducer");
    private static final Set<String> JSONPATH_PARAMETERS = Set.of("recordsPath", "cursorPath", "nextUrlPath",
            "modifiedField", "resultsPath", "idPath", "connectionPath", "hasMorePath", "lastPagePath");

    private final Map<String, Map<String, ParamTypes.Param>> templates = ParamTypes.kamelets();

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("routes", "routes"));
        List<Problem> problems = new RouteValidator().validate(dir);
        if (problems.isEmpty()) {
            System.out.println("routes OK: " + dir);
            return;
        }
        problems.forEach(p -> System.err.println(p));
        System.err.println(problems.size() + " problem(s) in " + dir);
        System.exit(1);
    }

    public List<Problem> validate(Path dir) throws IOException {
        List<Problem> problems = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).sorted().toList()) {
                validateFile(dir, file, problems);
            }
        }
        Map<String, Path> providers = new LinkedHashMap<>();
        for (Path file : OAuthProviders.files(dir)) {
            OAuthProvider.read(file, problems).ifPresent(p -> {
                Path first = providers.putIfAbsent(p.integration(), file);
                if (first != null) {
                    problems.add(new Problem(file.toString(), 1, "integration " + p.integration()
                            + " already has a provider in " + first + ": expected one provider file per integration"));
                }
            });
        }
        return problems;
    }

    private void validateFile(Path dir, Path file, List<Problem> problems) throws IOException {
        String name = file.toString();
        Optional<Node> root = compose(file, problems);
        if (root.isEmpty()) {
            return;
        }
        if (!(root.get() instanceof SequenceNode list)) {
            problems.add(new Problem(name, line(root.get()), "expected a list of routes, templated routes or templates"));
            return;
        }
        for (Node item : list.getValue()) {
            Map<String, NodeTuple> entry = keys(item);
            if (entry.size() == 1 && entry.containsKey("templatedRoute")) {
                templatedRoute(dir, name, entry.get("templatedRoute").getValueNode(), problems);
            }
            if (entry.containsKey("route") || entry.containsKey("from")) {
                List<Node[]> uris = new ArrayList<>();
                endpointUris(item, false, uris);
                steps(dir, name, uris, problems);
            }
            // the rest of a plain Camel route is Camel's to check when it loads it
        }
    }

    /**
     * The {@code syncline:} steps of a plain route: each known, with its parameters, and
     * {@code syncline:store} and {@code syncline:queue} only after a {@code syncline:map}.
     */
    private void steps(Path dir, String file, List<Node[]> uris, List<Problem> problems) {
        boolean mapped = false;
        for (Node[] u : uris) {
            String uri = scalar(u[1]);
            if (uri.startsWith("kamelet:")) {
                kamelet(dir, file, u[1], u[2], problems);
            }
            if (!uri.startsWith("syncline:")) {
                continue;
            }
            boolean consumer = u[0] != null;
            Optional<String> problem = Step.problem(uri, consumer);
            if (problem.isPresent()) {
                problems.add(new Problem(file, line(u[1]), problem.get()));
                continue;
            }
            String step = Step.id(uri);
            mapped |= step.equals("map");
            if ((step.equals("store") || step.equals("queue")) && !mapped) {
                problems.add(new Problem(file, line(u[1]), "syncline:" + step + " needs a mapped record: put "
                        + "syncline:map before it in the route"));
            }
        }
    }

    /**
     * Every endpoint URI of a route in document order, with the endpoint's {@code parameters}
     * map when it has one ({@code [2]}); a from's URI is marked as the consumer ({@code [0] != null}).
     */
    private static void endpointUris(Node node, boolean inFrom, List<Node[]> out) {
        if (node instanceof SequenceNode seq) {
            seq.getValue().forEach(n -> endpointUris(n, false, out));
        } else if (node instanceof MappingNode m) {
            NodeTuple parameters = keys(m).get("parameters");
            for (NodeTuple t : m.getValue()) {
                String key = scalar(t.getKeyNode());
                Node value = t.getValueNode();
                if ((key.equals("to") || key.equals("toD") || key.equals("uri")) && value instanceof ScalarNode) {
                    out.add(new Node[] {inFrom && key.equals("uri") ? value : null, value,
                            key.equals("uri") && parameters != null ? parameters.getValueNode() : null});
                } else if (key.equals("from") && value instanceof ScalarNode) {
                    out.add(new Node[] {value, value, null});
                } else if (!key.equals("parameters")) {
                    endpointUris(value, key.equals("from"), out);
                }
            }
        }
    }

    /** The Kamelet that a {@code kamelet:<id>[/<routeId>][?...]} URI names. */
    static String kameletId(String uri) {
        return uri.substring("kamelet:".length()).split("[/?]", 2)[0];
    }

    /** The parameters in a {@code kamelet:} URI's query, with {@code RAW(...)} values resolved. */
    static Map<String, Object> kameletQuery(String uri) throws URISyntaxException {
        return ParamTypes.kameletQuery(uri);
    }

    /** A {@code kamelet:<id>?...} endpoint of one of the engine's Kamelets: its parameters, as a templatedRoute's. */
    private void kamelet(Path dir, String file, Node uriNode, Node parameters, List<Problem> problems) {
        String uri = scalar(uriNode);
        String template = kameletId(uri);
        Map<String, ParamTypes.Param> declared = templates.get(template);
        if (declared == null) {
            return; // another Kamelet: Camel's to check when it loads it
        }
        Map<String, Given> given = new LinkedHashMap<>();
        try {
            kameletQuery(uri).forEach((k, v) -> given.put(k, new Given(String.valueOf(v), uriNode)));
        } catch (URISyntaxException e) {
            problems.add(new Problem(file, line(uriNode), "kamelet:" + template + ": its query is not valid: "
                    + e.getMessage()));
            return;
        }
        keys(parameters).forEach((k, t) -> given.put(k, new Given(scalar(t.getValueNode()), t.getValueNode())));
        int before = problems.size();
        given.keySet().stream().filter(k -> !declared.containsKey(k) && !KAMELET_OPTIONS.contains(k))
                .forEach(k -> problems.add(new Problem(file, line(given.get(k).at()), "'" + k
                        + "' is not a parameter of " + template + "; expected one of " + declared.keySet())));
        if (problems.size() == before) {
            KAMELET_OPTIONS.forEach(given::remove);
            kameletParams(dir, file, uriNode, template, given, problems);
        }
    }

    private void templatedRoute(Path dir, String file, Node node, List<Problem> problems) {
        Map<String, NodeTuple> keys = keys(node);
        keys.forEach((k, t) -> {
            if (!TEMPLATED_ROUTE_KEYS.contains(k)) {
                problems.add(new Problem(file, line(t.getKeyNode()), "'" + k + "' is not a key of templatedRoute; expected "
                        + "one of " + TEMPLATED_ROUTE_KEYS.stream().sorted().toList()));
            }
        });
        NodeTuple ref = keys.get("routeTemplateRef");
        if (ref == null) {
            problems.add(new Problem(file, line(node), "templatedRoute needs routeTemplateRef, one of " + templates.keySet()));
            return;
        }
        String template = scalar(ref.getValueNode());
        Map<String, ParamTypes.Param> declared = templates.get(template);
        if (declared == null) {
            problems.add(new Problem(file, line(ref.getValueNode()), "unknown route template '" + template
                    + "'; expected one of " + templates.keySet()));
            return;
        }
        Map<String, Given> given = new LinkedHashMap<>();
        NodeTuple params = keys.get("parameters");
        if (params != null && params.getValueNode() instanceof SequenceNode seq) {
            for (Node p : seq.getValue()) {
                Map<String, NodeTuple> pk = keys(p);
                NodeTuple n = pk.get("name");
                if (n == null || !pk.containsKey("value") || pk.size() != 2) {
                    problems.add(new Problem(file, line(p), "a parameter is {name: ..., value: ...}"));
                    continue;
                }
                String pname = scalar(n.getValueNode());
                if (!declared.containsKey(pname)) {
                    problems.add(new Problem(file, line(n.getValueNode()), "'" + pname + "' is not a parameter of "
                            + template + "; expected one of " + declared.keySet()));
                    continue;
                }
                given.put(pname, new Given(scalar(pk.get("value").getValueNode()), pk.get("value").getValueNode()));
            }
        }
        kameletParams(dir, file, node, template, given, problems);
    }

    /** A parameter given to a Kamelet, and where it was given. */
    private record Given(String value, Node at) {
    }

    /** Required parameters given, each of its type, the files they name loading, and the sync they make building. */
    private void kameletParams(Path dir, String file, Node node, String template, Map<String, Given> given,
            List<Problem> problems) {
        Map<String, ParamTypes.Param> declared = templates.get(template);
        declared.values().stream().filter(d -> d.required() && !given.containsKey(d.name()))
                .forEach(d -> problems.add(new Problem(file, line(node), template + " needs parameter '" + d.name()
                        + "': " + d.description())));
        int before = problems.size();
        given.forEach((pname, g) -> ParamTypes.problem(pname, g.value()).ifPresent(p ->
                problems.add(new Problem(file, line(g.at()), template + ": " + p))));
        given.forEach((pname, g) -> {
            String value = g.value();
            Node valueNode = g.at();
            try {
                if (pname.equals("mapping")) {
                    MappingLoader.named(dir, value);
                } else if (pname.equals("groups") && !value.isBlank()) {
                    try (DefaultCamelContext camel = new DefaultCamelContext()) {
                        Groups.load(dir.resolve(value), camel);
                    } catch (IllegalArgumentException e) {
                        problems.add(new Problem(file, line(valueNode), "groups " + value + " are broken: "
                                + e.getMessage()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                } else if (pname.equals("twoWay") && !value.isBlank()) {
                    try {
                        Ownership.load(dir.resolve(value));
                    } catch (IllegalArgumentException e) {
                        problems.add(new Problem(file, line(valueNode), "two-way rules " + value + " are broken: "
                                + e.getMessage()));
                    }
                } else if (JSONPATH_PARAMETERS.contains(pname) && !value.isBlank()) {
                    JsonPath.compile(value);
                }
            } catch (MappingLoader.MappingFileException e) {
                problems.add(new Problem(file, line(valueNode), "mapping " + value + " is broken: " + e.getMessage()));
            } catch (RuntimeException e) {
                problems.add(new Problem(file, line(valueNode), pname + " '" + value + "' is not a valid JSONPath: "
                        + e.getMessage()));
            }
        });
        if (problems.size() == before && BUILT.containsKey(template)) {
            built(dir, file, node, template, declared, given, problems);
        }
        if (problems.size() == before) {
            ParamTypes.inner(template).ifPresent(inner -> kameletParams(dir, file, node, inner.kamelet(),
                    passed(inner, declared, given, node), problems));
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}:]+)(?::([^}]*))?}}");

    /**
     * What a catalogue Kamelet passes to the engine Kamelet it calls, its placeholders filled
     * with the values given (else its defaults), so the engine Kamelet's checks run on them too.
     */
    private static Map<String, Given> passed(ParamTypes.Inner inner, Map<String, ParamTypes.Param> declared,
            Map<String, Given> given, Node node) {
        Map<String, Given> out = new LinkedHashMap<>();
        inner.parameters().forEach((k, v) -> {
            Node at = node;
            Matcher m = PLACEHOLDER.matcher(v);
            StringBuilder value = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                Given g = given.get(name);
                ParamTypes.Param d = declared.get(name);
                String filled = g != null ? g.value() : d != null && !d.required() ? d.defaultValue()
                        : m.group(2) != null ? m.group(2) : m.group();
                at = g != null ? g.at() : at;
                m.appendReplacement(value, Matcher.quoteReplacement(filled));
            }
            m.appendTail(value);
            out.put(k, new Given(value.toString(), at));
        });
        return out;
    }

    /** Templates whose sync is built from its parameters alone: the validator builds it as start-up does. */
    private static final Map<String, Consumer<RouteTemplateContext>> BUILT = Map.of(
            "poll-sync", PollSyncKamelet::build,
            "event-sync", EventSyncKamelet::build);

    /** Runs the checks start-up runs when it builds the sync (intervals, modes, pagination, numbers). */
    private static void built(Path dir, String file, Node node, String template,
            Map<String, ParamTypes.Param> declared, Map<String, Given> given, List<Problem> problems) {
        try (DefaultCamelContext ctx = new DefaultCamelContext(false)) {
            ctx.getGlobalOptions().put(TemplateParams.ROUTES_DIR_OPTION, dir.toString());
            DefaultRouteTemplateContext rtc = new DefaultRouteTemplateContext(ctx);
            declared.values().forEach(d -> {
                if (!d.required()) {
                    rtc.setParameter(d.name(), d.defaultValue());
                }
            });
            given.forEach((k, g) -> rtc.setParameter(k, g.value()));
            BUILT.get(template).accept(rtc);
        } catch (NumberFormatException e) {
            problems.add(new Problem(file, line(node), template + ": a number was expected (" + e.getMessage() + ")"));
        } catch (RuntimeException e) {
            problems.add(new Problem(file, line(node), e.getMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, NodeTuple> keys(Node node) {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                out.put(scalar(t.getKeyNode()), t);
            }
        }
        return out;
    }
}
