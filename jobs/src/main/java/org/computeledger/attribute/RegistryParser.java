package org.computeledger.attribute;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.computeledger.attribute.Registry.Activity;
import org.computeledger.attribute.Registry.Branch;
import org.computeledger.attribute.Registry.K8sRule;
import org.computeledger.attribute.Registry.Match;
import org.computeledger.attribute.Registry.Precision;
import org.computeledger.attribute.Registry.Project;
import org.computeledger.attribute.Registry.SlurmRule;
import org.computeledger.attribute.Registry.Status;
import org.computeledger.attribute.Registry.Use;
import org.computeledger.attribute.Registry.YamlNamed;
import org.computeledger.common.LedgerException;
import org.computeledger.common.SafeYaml;
import org.computeledger.common.UntrustedInput;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns registry text into a {@link Registry}, rejecting anything that would make attribution
 * silently wrong: unknown keys (a misspelt match field would match nothing), missing or invalid
 * values, duplicate ids, identical match rules, and uses that point nowhere or in a circle. Each
 * rejection is one line, {@code file:line: entry problem}.
 *
 * <p>The YAML is read token by token rather than through Jackson's tree model so that every value
 * keeps its line and its text exactly as written ({@code account: 007} stays {@code "007"}).
 */
final class RegistryParser {
  /** The id attribution gives to jobs that match no branch; a registry may not claim it. */
  static final String RESERVED_ID = "(unattributed)";

  private static final List<String> TOP_KEYS = List.of("developer", "developer_revenue", "projects");
  private static final List<String> REVENUE_KEYS = List.of("annual_gross", "currency", "year");
  private static final List<String> PROJECT_KEYS =
      List.of("id", "development_start", "precision", "branches", "uses", "generates");
  private static final List<String> BRANCH_KEYS =
      List.of("id", "activity", "status", "description", "risk_only", "justification", "match", "architecture",
          "data_published");
  private static final List<String> ARCHITECTURE_KEYS = List.of("parameters", "tokens", "epochs", "moe");
  /** Output modalities a project may declare; the standards' modality conditions name the same words. */
  private static final List<String> MODALITIES = List.of("text", "code", "audio", "speech", "image", "video",
      "text-to-image", "text-to-video");
  private static final List<String> MATCH_KEYS = List.of("slurm", "k8s");
  private static final List<String> SLURM_KEYS =
      List.of("account", "wckey", "comment", "partition", "job_name");
  private static final List<String> K8S_KEYS = List.of("labels", "namespace");
  private static final List<String> USE_KEYS = List.of("project", "as", "resource", "open", "released_by",
      "released_on", "base_model", "training_flop", "systemic_risk");

  private static final String TOP = "the registry";

  private sealed interface Node permits Scalar, Mapping, Sequence {
    int line();
  }

  /** A scalar as written; {@code text} is null for an explicit or implied YAML null. */
  private record Scalar(JsonToken token, String text, int line) implements Node {}

  private record Mapping(Map<String, Node> entries, int line) implements Node {}

  private record Sequence(List<Node> items, int line) implements Node {}

  /** A project named in a use, checked once every project is known. */
  private record Reference(String from, String to, int line) {}

  private final String file;
  private final List<Reference> references = new ArrayList<>();
  private final Map<Object, String> ruleOwners = new HashMap<>();

  private RegistryParser(String file) {
    this.file = file;
  }

  static Registry parse(String text, String fileName) {
    if (text.length() > UntrustedInput.REGISTRY_MAX_BYTES) {
      throw new RegistryException(UntrustedInput.tooLarge(fileName, UntrustedInput.REGISTRY_MAX_BYTES).getMessage());
    }
    RegistryParser parser = new RegistryParser(fileName);
    Mapping root = parser.readDocument(text);
    return parser.registry(root);
  }

  // ---- reading YAML into nodes that remember their line ----

  private Mapping readDocument(String text) {
    try (JsonParser p = SafeYaml.parser(text, file, UntrustedInput.REGISTRY_MAX_BYTES)) {
      if (p.nextToken() == null) {
        throw new RegistryException(file + ": is empty; expected 'developer' and 'projects'");
      }
      Node root = readNode(p);
      if (!(root instanceof Mapping m)) {
        throw error(root.line(), TOP, "must be a mapping with 'developer' and 'projects'");
      }
      return m;
    } catch (JacksonException e) {
      throw syntaxError(e);
    } catch (LedgerException e) {
      // a tag, anchor, alias or too deep nesting, refused by SafeYaml
      throw new RegistryException(e.getMessage(), e);
    } catch (IOException e) {
      throw new RegistryException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private Node readNode(JsonParser p) throws IOException {
    int line = p.currentTokenLocation().getLineNr();
    JsonToken token = p.currentToken();
    switch (token) {
      case START_OBJECT -> {
        Map<String, Node> entries = new LinkedHashMap<>();
        while (p.nextToken() != JsonToken.END_OBJECT) {
          String key = p.currentName();
          int keyLine = p.currentTokenLocation().getLineNr();
          p.nextToken();
          if (entries.put(key, readNode(p)) != null) {
            throw error(keyLine, "", "key '" + key + "' appears twice in one mapping");
          }
        }
        return new Mapping(entries, line);
      }
      case START_ARRAY -> {
        List<Node> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(readNode(p));
        }
        return new Sequence(items, line);
      }
      default -> {
        return new Scalar(token, token == JsonToken.VALUE_NULL ? null : p.getText(), line);
      }
    }
  }

  // ---- the registry's structure ----

  private Registry registry(Mapping root) {
    checkKeys(root, TOP_KEYS, TOP, "");
    String developer = requiredText(root, "developer", TOP);
    List<Node> projectNodes = requiredList(root, "projects", TOP);
    Map<String, Integer> projectLines = new HashMap<>();
    List<Project> projects = new ArrayList<>();
    for (int i = 0; i < projectNodes.size(); i++) {
      Mapping node = mapping(projectNodes.get(i), "project #" + (i + 1), "a project");
      projects.add(project(node, i + 1, projectLines));
    }
    checkReferences(projectLines);
    Node revenueNode = present(root, "developer_revenue");
    return new Registry(developer, projects,
        revenueNode == null ? null : revenue(mapping(revenueNode, TOP, "developer_revenue")));
  }

  private Registry.DeveloperRevenue revenue(Mapping node) {
    String entry = "developer_revenue";
    checkKeys(node, REVENUE_KEYS, entry, "");
    double amount = number(node, "annual_gross", entry, true);
    String currency = requiredText(node, "currency", entry);
    if (!currency.matches("[A-Z]{3}")) {
      throw error(node.line(), entry, "has currency '" + currency + "'; expected an ISO 4217 code such as USD");
    }
    double year = number(node, "year", entry, true);
    if (year != Math.rint(year) || year < 1900 || year > 9999) {
      throw error(node.line(), entry, "has year " + year + "; expected the calendar year of the revenue, e.g. 2025");
    }
    return new Registry.DeveloperRevenue(new java.math.BigDecimal(optionalText(node, "annual_gross", entry)),
        currency, (int) year);
  }

  private Registry.Architecture architecture(Mapping node, String entry) {
    checkKeys(node, ARCHITECTURE_KEYS, entry, " in architecture");
    double epochs = node.entries().containsKey("epochs") ? number(node, "epochs", entry, true) : 1.0;
    Boolean moe = bool(node, "moe", entry);
    return new Registry.Architecture(number(node, "parameters", entry, true), number(node, "tokens", entry, true),
        epochs, Boolean.TRUE.equals(moe));
  }

  /** A positive finite number; {@code required} false gives null when absent. */
  private Double number(Mapping node, String key, String entry, boolean required) {
    Node value = present(node, key);
    if (value == null) {
      if (required) {
        throw error(node.line(), entry, "is missing required key '" + key + "'");
      }
      return null;
    }
    if (value instanceof Scalar s && (s.token() == JsonToken.VALUE_NUMBER_INT
        || s.token() == JsonToken.VALUE_NUMBER_FLOAT)) {
      double v = Double.parseDouble(s.text());
      if (v > 0 && !Double.isInfinite(v)) {
        return v;
      }
    }
    throw error(value.line(), entry, "has " + key + " " + quoted(value) + "; expected a positive number such as 7.0e9");
  }

  private Project project(Mapping node, int position, Map<String, Integer> projectLines) {
    String id = optionalText(node, "id", "project #" + position);
    String entry = id == null ? "project #" + position : "project '" + id + "'";
    checkKeys(node, PROJECT_KEYS, entry, "");
    if (id == null) {
      throw error(node.line(), entry, "is missing required key 'id'");
    }
    checkNotReserved(node, id, entry);
    checkFirst(projectLines, id, node, entry);
    LocalDate start = date(node, "development_start", entry, true);
    Precision precision = enumValue(node, "precision", Precision.values(), entry, true);
    List<Branch> branches = branches(node, id, entry);
    List<Use> uses = uses(node, id, entry);
    List<String> generates = generates(node, entry);
    return new Project(id, start, precision, branches, uses, generates);
  }

  /** A project's required, non-empty list of branches, each id once within the project. */
  private List<Branch> branches(Mapping node, String projectId, String entry) {
    List<Node> branchNodes = requiredList(node, "branches", entry);
    List<Branch> branches = new ArrayList<>();
    Map<String, Integer> branchLines = new HashMap<>();
    for (int i = 0; i < branchNodes.size(); i++) {
      String branchPosition = entry + " branch #" + (i + 1);
      Mapping branchNode = mapping(branchNodes.get(i), branchPosition, "a branch");
      branches.add(branch(branchNode, projectId, entry, branchPosition, branchLines));
    }
    return branches;
  }

  /** A project's optional uses of other models; empty when the key is absent. */
  private List<Use> uses(Mapping node, String projectId, String entry) {
    List<Use> uses = new ArrayList<>();
    Node usesNode = present(node, "uses");
    if (usesNode != null) {
      List<Node> useNodes = list(usesNode, entry, "uses");
      for (int i = 0; i < useNodes.size(); i++) {
        uses.add(use(mapping(useNodes.get(i), entry + " use #" + (i + 1), "a use"), projectId, entry, i + 1));
      }
    }
    return uses;
  }

  /** The modalities a project generates, each one of {@link #MODALITIES}; empty when the key is absent. */
  private List<String> generates(Mapping node, String entry) {
    List<String> generates = new ArrayList<>();
    Node generatesNode = present(node, "generates");
    if (generatesNode != null) {
      for (Node g : list(generatesNode, entry, "generates")) {
        String m = g instanceof Scalar sc ? sc.text() : null;
        if (m == null || !MODALITIES.contains(m)) {
          throw error(g.line(), entry, "has generates " + quoted(g) + "; expected any of "
              + String.join("|", MODALITIES));
        }
        generates.add(m);
      }
    }
    return generates;
  }

  private Branch branch(Mapping node, String projectId, String projectEntry, String position,
      Map<String, Integer> branchLines) {
    String id = optionalText(node, "id", position);
    String entry = id == null ? position : projectEntry + " branch '" + id + "'";
    checkKeys(node, BRANCH_KEYS, entry, "");
    if (id == null) {
      throw error(node.line(), entry, "is missing required key 'id'");
    }
    checkNotReserved(node, id, entry);
    checkFirst(branchLines, id, node, entry);
    Activity activity = enumValue(node, "activity", Activity.values(), entry, true);
    Status status = enumValue(node, "status", Status.values(), entry, false);
    String description = optionalText(node, "description", entry);
    Boolean riskOnly = bool(node, "risk_only", entry);
    String justification = optionalText(node, "justification", entry);
    Node matchNode = present(node, "match");
    if (matchNode == null) {
      throw error(node.line(), entry, "has no match rule, so no job could ever be attributed to it");
    }
    Match match = match(mapping(matchNode, entry, "match"), entry, projectId + "/" + id);
    Node architectureNode = present(node, "architecture");
    Boolean published = bool(node, "data_published", entry);
    if (Boolean.TRUE.equals(published) && activity != Activity.SYNTHETIC_DATA) {
      throw error(node.line(), entry, "has data_published: true, which only a synthetic-data branch can have");
    }
    return new Branch(id, activity, status == null ? Status.KEPT : status, description,
        Boolean.TRUE.equals(riskOnly), justification, match,
        architectureNode == null ? null : architecture(mapping(architectureNode, entry, "architecture"), entry),
        Boolean.TRUE.equals(published));
  }

  private Match match(Mapping node, String entry, String label) {
    checkKeys(node, MATCH_KEYS, entry, " in match");
    Node slurmNode = present(node, "slurm");
    Node k8sNode = present(node, "k8s");
    if (slurmNode == null && k8sNode == null) {
      throw error(node.line(), entry, "has an empty match rule; give match.slurm, match.k8s or both");
    }
    SlurmRule slurm = slurmNode == null ? null : slurm(mapping(slurmNode, entry, "match.slurm"), entry);
    K8sRule k8s = k8sNode == null ? null : k8s(mapping(k8sNode, entry, "match.k8s"), entry);
    claimRule(slurm, "slurm", slurmNode, entry, label);
    claimRule(k8s, "k8s", k8sNode, entry, label);
    return new Match(slurm, k8s);
  }

  private SlurmRule slurm(Mapping node, String entry) {
    if (node.entries().containsKey("user")) {
      throw error(node.entries().get("user").line(), entry,
          "matches on 'user' in match.slurm, which can never match: users are pseudonymized"
              + " before attribution; use account, wckey, comment, partition or job_name");
    }
    checkKeys(node, SLURM_KEYS, entry, " in match.slurm");
    SlurmRule rule = new SlurmRule(
        matchText(node, "account", entry, "match.slurm"),
        matchText(node, "wckey", entry, "match.slurm"),
        matchText(node, "comment", entry, "match.slurm"),
        matchText(node, "partition", entry, "match.slurm"),
        matchText(node, "job_name", entry, "match.slurm"));
    if (rule.equals(new SlurmRule(null, null, null, null, null))) {
      throw error(node.line(), entry, "has an empty match.slurm, which would take every Slurm job");
    }
    return rule;
  }

  private K8sRule k8s(Mapping node, String entry) {
    checkKeys(node, K8S_KEYS, entry, " in match.k8s");
    Map<String, String> labels = new LinkedHashMap<>();
    Node labelsNode = present(node, "labels");
    if (labelsNode != null) {
      Mapping labelMap = mapping(labelsNode, entry, "match.k8s.labels");
      for (Map.Entry<String, Node> label : labelMap.entries().entrySet()) {
        labels.put(label.getKey(),
            matchText(labelMap, label.getKey(), entry, "match.k8s.labels"));
      }
    }
    String namespace = matchText(node, "namespace", entry, "match.k8s");
    if (labels.isEmpty() && namespace == null) {
      throw error(node.line(), entry,
          "has an empty match.k8s, which would take every pod; give labels or namespace");
    }
    return new K8sRule(labels, namespace);
  }

  private Use use(Mapping node, String projectId, String projectEntry, int position) {
    String resource = optionalText(node, "resource", projectEntry + " use #" + position);
    String project = optionalText(node, "project", projectEntry + " use #" + position);
    String entry = resource != null ? projectEntry + " use of resource '" + resource + "'"
        : project != null ? projectEntry + " use of project '" + project + "'"
        : projectEntry + " use #" + position;
    checkKeys(node, USE_KEYS, entry, "");
    Activity as = enumValue(node, "as", Activity.values(), entry, false);
    Boolean open = bool(node, "open", entry);
    String releasedBy = optionalText(node, "released_by", entry);
    LocalDate releasedOn = date(node, "released_on", entry, false);
    if (resource == null) {
      if (project == null) {
        throw error(node.line(), entry, "names neither a project nor a resource");
      }
      if (as == null) {
        throw error(node.line(), entry,
            "is missing required key 'as': the activity the used project's compute counts as");
      }
      if (open != null || releasedBy != null || releasedOn != null) {
        throw error(node.line(), entry,
            "has open/released_by/released_on, which describe a resource, but no 'resource'");
      }
    } else {
      if (open == null) {
        throw error(node.line(), entry, "is missing required key 'open' (true or false)");
      }
      if (open && (releasedBy == null || releasedOn == null)) {
        throw error(node.line(), entry, "is open but lacks released_by or released_on, which"
            + " decide whether its compute still counts (P2)");
      }
    }
    if (project != null) {
      references.add(new Reference(projectId, project, node.line()));
    }
    Boolean baseModel = bool(node, "base_model", entry);
    Double trainingFlop = number(node, "training_flop", entry, false);
    Boolean systemicRisk = bool(node, "systemic_risk", entry);
    if (!Boolean.TRUE.equals(baseModel) && (trainingFlop != null || systemicRisk != null)) {
      throw error(node.line(), entry, "has training_flop or systemic_risk, which describe a model this project"
          + " modifies, but not 'base_model: true'");
    }
    return new Use(project, as, resource, open, releasedBy, releasedOn, Boolean.TRUE.equals(baseModel),
        trainingFlop, systemicRisk);
  }

  // ---- checks across entries ----

  /**
   * Two branches with the same rule would share every job; that is visible without any data, so it
   * is an error here rather than a conflict reported after the run.
   */
  private void claimRule(Object rule, String kind, Node node, String entry, String label) {
    if (rule == null) {
      return;
    }
    String owner = ruleOwners.putIfAbsent(rule, label);
    if (owner != null) {
      throw error(node.line(), entry, "has the same match." + kind + " rule as branch '" + owner
          + "', so every such job would match both");
    }
  }

  private void checkReferences(Map<String, Integer> projectLines) {
    Map<String, List<Reference>> edges = new LinkedHashMap<>();
    for (Reference ref : references) {
      if (!projectLines.containsKey(ref.to())) {
        throw error(ref.line(), "project '" + ref.from() + "'",
            "uses unknown project '" + ref.to() + "'");
      }
      edges.computeIfAbsent(ref.from(), k -> new ArrayList<>()).add(ref);
    }
    Map<String, Boolean> done = new HashMap<>();
    for (String start : edges.keySet()) {
      findCycle(start, edges, done, new ArrayList<>());
    }
  }

  /**
   * Depth-first search over uses; {@code done} maps a project to false while it is on the current
   * path and to true once all it reaches is known to be acyclic.
   */
  private void findCycle(
      String at, Map<String, List<Reference>> edges, Map<String, Boolean> done, List<String> path) {
    Boolean state = done.get(at);
    if (Boolean.TRUE.equals(state)) {
      return;
    }
    path.add(at);
    done.put(at, false);
    for (Reference ref : edges.getOrDefault(at, List.of())) {
      if (Boolean.FALSE.equals(done.get(ref.to()))) {
        List<String> cycle = new ArrayList<>(path.subList(path.indexOf(ref.to()), path.size()));
        cycle.add(ref.to());
        throw error(ref.line(), "project '" + at + "'",
            "closes a cycle of uses: " + String.join(" -> ", cycle)
                + "; a project cannot depend on itself");
      }
      findCycle(ref.to(), edges, done, path);
    }
    done.put(at, true);
    path.remove(path.size() - 1);
  }

  // ---- values ----

  private void checkKeys(Mapping node, List<String> allowed, String entry, String where) {
    for (Map.Entry<String, Node> e : node.entries().entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw error(e.getValue().line(), entry, "has unknown key '" + e.getKey() + "'" + where
            + " (expected one of: " + String.join(", ", allowed) + ")");
      }
    }
  }

  private void checkFirst(Map<String, Integer> seen, String id, Mapping node, String entry) {
    Integer earlier = seen.putIfAbsent(id, node.line());
    if (earlier != null) {
      throw error(node.line(), entry, "is declared twice (first at line " + earlier + ")");
    }
  }

  private void checkNotReserved(Mapping node, String id, String entry) {
    if (id.equals(RESERVED_ID)) {
      throw error(node.line(), entry, "uses the id " + RESERVED_ID
          + ", which is reserved for jobs that match no branch");
    }
  }

  /** The value of {@code key}, or null when the key is absent or its value is a YAML null. */
  private static Node present(Mapping node, String key) {
    Node value = node.entries().get(key);
    if (value instanceof Scalar s && s.text() == null) {
      return null;
    }
    return value;
  }

  private Mapping mapping(Node node, String entry, String what) {
    if (node instanceof Mapping m) {
      return m;
    }
    throw error(node.line(), entry, "must have " + what + " as a mapping of keys to values");
  }

  private List<Node> list(Node node, String entry, String key) {
    if (node instanceof Sequence s) {
      return s.items();
    }
    throw error(node.line(), entry, "must have '" + key + "' as a list");
  }

  private List<Node> requiredList(Mapping node, String key, String entry) {
    Node value = present(node, key);
    if (value == null) {
      throw error(node.line(), entry, "is missing required key '" + key + "'");
    }
    List<Node> items = list(value, entry, key);
    if (items.isEmpty()) {
      throw error(value.line(), entry, "has an empty '" + key + "' list");
    }
    return items;
  }

  private String optionalText(Mapping node, String key, String entry) {
    Node value = present(node, key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Scalar s)) {
      throw error(value.line(), entry, "must have '" + key + "' as a single value");
    }
    String text = s.text().strip();
    if (text.isEmpty()) {
      throw error(value.line(), entry, "has an empty '" + key + "'");
    }
    return text;
  }

  private String requiredText(Mapping node, String key, String entry) {
    String text = optionalText(node, key, entry);
    if (text == null) {
      throw error(node.line(), entry, "is missing required key '" + key + "'");
    }
    return text;
  }

  /** A match value is compared with job fields as written, so it is not trimmed. */
  private String matchText(Mapping node, String key, String entry, String where) {
    Node value = node.entries().get(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Scalar s)) {
      throw error(value.line(), entry, "must have " + where + "." + key + " as a single value");
    }
    if (s.text() == null || s.text().isEmpty()) {
      throw error(value.line(), entry, "has an empty " + where + "." + key
          + ", which would match nothing or everything; remove it or give a value");
    }
    return s.text();
  }

  private Boolean bool(Mapping node, String key, String entry) {
    Node value = present(node, key);
    if (value == null) {
      return null;
    }
    if (value instanceof Scalar s && s.token() == JsonToken.VALUE_TRUE) {
      return true;
    }
    if (value instanceof Scalar s && s.token() == JsonToken.VALUE_FALSE) {
      return false;
    }
    throw error(value.line(), entry, "has " + key + " " + quoted(value) + "; expected true or false");
  }

  private LocalDate date(Mapping node, String key, String entry, boolean required) {
    String text = optionalText(node, key, entry);
    if (text == null) {
      if (required) {
        throw error(node.line(), entry, "is missing required key '" + key + "'");
      }
      return null;
    }
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw error(node.entries().get(key).line(), entry,
          "has " + key + " '" + text + "'; expected an ISO date such as 2026-03-01");
    }
  }

  private <E extends Enum<E> & YamlNamed> E enumValue(
      Mapping node, String key, E[] values, String entry, boolean required) {
    String text = optionalText(node, key, entry);
    if (text == null) {
      if (required) {
        throw error(node.line(), entry, "is missing required key '" + key + "'");
      }
      return null;
    }
    List<String> names = new ArrayList<>();
    for (E v : values) {
      if (v.yamlName().equals(text)) {
        return v;
      }
      names.add(v.yamlName());
    }
    throw error(node.entries().get(key).line(), entry,
        "has " + key + " '" + text + "'; expected one of " + String.join("|", names));
  }

  private static String quoted(Node node) {
    return node instanceof Scalar s ? "'" + s.text() + "'" : "(a list or mapping)";
  }

  private RegistryException error(int line, String entry, String problem) {
    String where = line > 0 ? file + ":" + line + ": " : file + ": ";
    return new RegistryException(where + (entry.isEmpty() ? "" : entry + " ") + problem);
  }

  /**
   * SnakeYAML's own message spans several lines and opens with the context ("while parsing a flow
   * mapping"); the problem and the line where it was found make a clearer single line.
   */
  private RegistryException syntaxError(JacksonException e) {
    if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
      String context = m.getContext() == null ? "" : " (" + m.getContext() + ")";
      return new RegistryException(file + ":" + (m.getProblemMark().getLine() + 1)
          + ": not valid YAML: " + m.getProblem() + context, e);
    }
    JsonLocation at = e.getLocation();
    String line = at == null || at.getLineNr() < 1 ? "" : at.getLineNr() + ":";
    String message = String.valueOf(e.getOriginalMessage());
    int nl = message.indexOf('\n');
    return new RegistryException(file + ":" + line + " not valid YAML: "
        + (nl < 0 ? message : message.substring(0, nl)), e);
  }
}
