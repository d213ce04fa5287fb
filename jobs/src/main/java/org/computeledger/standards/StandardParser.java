package org.computeledger.standards;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.computeledger.attribute.Registry.Activity;
import org.computeledger.common.LedgerException;
import org.computeledger.common.SafeYaml;
import org.computeledger.common.UntrustedInput;
import org.computeledger.standards.Standard.ComputeThreshold;
import org.computeledger.standards.Standard.CostBasis;
import org.computeledger.standards.Standard.CostThreshold;
import org.computeledger.standards.Standard.RiskOnly;
import org.computeledger.standards.Standard.RiskOnlyRule;
import org.computeledger.standards.Standard.Rule;
import org.computeledger.standards.Standard.Rules;
import org.computeledger.standards.Standard.SelfRelease;
import org.computeledger.standards.Standard.SelfReleaseRule;
import org.computeledger.standards.Standard.Treatment;
import org.computeledger.standards.Standard.Trigger;

/**
 * Turns a standard file into a {@link Standard}, refusing anything that would let a total be
 * computed under rules nobody wrote: unknown or missing fields, values of the wrong kind, thresholds
 * a trigger needs but the file lacks. Each refusal is one line, {@code file: field 'x': expected ...}.
 */
final class StandardParser {
  private static final List<String> TOP_KEYS = List.of("id", "version", "title", "jurisdiction", "effective_date",
      "review_period_months", "historical", "sources", "compute_thresholds", "cost_thresholds", "cost_basis",
      "trigger", "assumed_utilization", "counted_activities", "rules", "notes", "large_developer", "modification_rule",
      "interpretations");
  private static final List<String> COMPUTE_KEYS = List.of("id", "flop", "applies_to", "meaning", "activities",
      "modalities");
  private static final List<String> LARGE_DEVELOPER_KEYS = List.of("id", "revenue", "currency", "meaning", "basis");
  private static final List<String> MODIFICATION_KEYS = List.of("fraction_of_original",
      "unknown_original_systemic_risk_flop", "unknown_original_other_flop", "basis");
  private static final List<String> INTERPRETATION_KEYS = List.of("about", "note");
  /** Output modalities a threshold may name, as the registry's {@code generates} spells them. */
  static final List<String> MODALITIES = List.of("text", "code", "audio", "speech", "image", "video",
      "text-to-image", "text-to-video");
  private static final List<String> COST_KEYS = List.of("id", "amount", "currency", "applies_to", "meaning");
  private static final List<String> RULE_NAMES = List.of("evaluations", "discarded_branches", "teachers",
      "data_generators", "base_models", "third_party_open_resources", "self_released_open_resources", "risk_only");
  private static final List<String> RULE_KEYS = List.of("treatment", "basis", "interpretation", "note");
  private static final List<String> SELF_RELEASE_KEYS = List.of("treatment", "window_months", "basis",
      "interpretation", "note");
  private static final String ID_PATTERN = "[a-z0-9][a-z0-9._-]*";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final String file;

  private StandardParser(String file) {
    this.file = file;
  }

  static Standard parse(String text, String fileName) {
    if (text.length() > UntrustedInput.STANDARD_MAX_BYTES) {
      throw new StandardException(UntrustedInput.tooLarge(fileName, UntrustedInput.STANDARD_MAX_BYTES).getMessage());
    }
    return new StandardParser(fileName).standard(text.startsWith("\uFEFF") ? text.substring(1) : text);
  }

  private Standard standard(String text) {
    JsonNode root;
    try (JsonParser p = SafeYaml.parser(text, file, UntrustedInput.STANDARD_MAX_BYTES)) {
      p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      root = YAML.readTree(p);
    } catch (JacksonException e) {
      String message = String.valueOf(e.getOriginalMessage());
      int nl = message.indexOf('\n');
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      throw new StandardException(file + (line > 0 ? ":" + line : "") + ": not valid YAML: "
          + (nl < 0 ? message : message.substring(0, nl)), e);
    } catch (LedgerException e) {
      // a tag, anchor, alias or too deep nesting, refused by SafeYaml
      throw new StandardException(e.getMessage(), e);
    } catch (java.io.IOException e) {
      throw new StandardException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new StandardException(file + ": expected a mapping with the fields " + String.join(", ", TOP_KEYS));
    }
    checkKeys(root, TOP_KEYS, "");
    String id = text(root, "id", "");
    if (!id.matches(ID_PATTERN)) {
      throw fail("id", "lower-case letters, digits, '.', '_' or '-' (e.g. eu-ai-act), got '" + id + "'");
    }
    int review = integer(root, "review_period_months", "", 1);
    double util = number(root, "assumed_utilization", "");
    if (!(util > 0 && util <= 1)) {
      throw fail("assumed_utilization", "a share in (0, 1], got " + util);
    }
    List<ComputeThreshold> compute = computeThresholds(list(root, "compute_thresholds", ""));
    List<CostThreshold> cost = costThresholds(list(root, "cost_thresholds", ""));
    Trigger trigger = choice(root, "trigger", "", Trigger.values(), t -> t.yamlName);
    boolean anyCompute = compute.stream().anyMatch(t -> !t.modificationsOnly());
    boolean anyCost = cost.stream().anyMatch(t -> !t.modificationsOnly());
    if (!anyCompute) {
      throw fail("compute_thresholds", "at least one threshold that applies to every model (no applies_to)");
    }
    if (trigger != Trigger.COMPUTE && !anyCost) {
      throw fail("cost_thresholds", "at least one threshold that applies to every model, since trigger is "
          + trigger.yamlName);
    }
    Set<Activity> activities = EnumSet.noneOf(Activity.class);
    for (JsonNode a : list(root, "counted_activities", "")) {
      Activity activity = enumText(a, "counted_activities", Activity.values(), Activity::yamlName);
      if (activity == Activity.EVALUATION) {
        throw fail("counted_activities", "no 'evaluation': rules.evaluations decides how evaluations count");
      }
      activities.add(activity);
    }
    return new Standard(id, text(root, "version", ""), text(root, "title", ""), text(root, "jurisdiction", ""),
        date(root, "effective_date", ""), review, bool(root, "historical", ""), texts(root, "sources", true),
        compute, cost, choice(root, "cost_basis", "", CostBasis.values(), b -> b.yamlName), trigger, util,
        activities, rules(required(root, "rules", "")), root.has("notes") ? texts(root, "notes", false) : List.of(),
        file, root.has("large_developer") ? largeDeveloper(object(root.get("large_developer"), "large_developer")) : null,
        root.has("modification_rule") ? modificationRule(object(root.get("modification_rule"), "modification_rule"))
            : null,
        root.has("interpretations") ? interpretations(list(root, "interpretations", "")) : List.of());
  }

  private Standard.LargeDeveloper largeDeveloper(JsonNode n) {
    String at = "large_developer.";
    checkKeys(n, LARGE_DEVELOPER_KEYS, at);
    JsonNode amount = required(n, "revenue", at);
    if (!amount.isNumber() || amount.decimalValue().signum() <= 0) {
      throw fail(at + "revenue", "a positive amount of money such as 500000000, got '" + amount.asText() + "'");
    }
    String currency = text(n, "currency", at);
    if (!currency.matches("[A-Z]{3}")) {
      throw fail(at + "currency", "an ISO 4217 code such as USD, got '" + currency + "'");
    }
    return new Standard.LargeDeveloper(text(n, "id", at), new BigDecimal(amount.asText()), currency,
        text(n, "meaning", at), text(n, "basis", at));
  }

  private Standard.ModificationRule modificationRule(JsonNode n) {
    String at = "modification_rule.";
    checkKeys(n, MODIFICATION_KEYS, at);
    double fraction = number(n, "fraction_of_original", at);
    if (!(fraction > 0 && fraction <= 1)) {
      throw fail(at + "fraction_of_original", "a share in (0, 1] such as 0.3333333333333333, got " + fraction);
    }
    return new Standard.ModificationRule(fraction, positiveFlop(n, "unknown_original_systemic_risk_flop", at),
        positiveFlop(n, "unknown_original_other_flop", at), text(n, "basis", at));
  }

  private List<Standard.Interpretation> interpretations(List<JsonNode> nodes) {
    List<Standard.Interpretation> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      String at = "interpretations[" + i + "].";
      JsonNode n = object(nodes.get(i), at.substring(0, at.length() - 1));
      checkKeys(n, INTERPRETATION_KEYS, at);
      out.add(new Standard.Interpretation(text(n, "about", at), text(n, "note", at)));
    }
    return out;
  }

  private double positiveFlop(JsonNode n, String key, String at) {
    double flop = number(n, key, at);
    if (!(flop > 0) || Double.isInfinite(flop)) {
      throw fail(at + key, "a positive number of FLOP such as 1.0e25, got " + flop);
    }
    return flop;
  }

  /** The note of a rule marked {@code interpretation: true}; null for a rule its quoted text settles. */
  private String interpretation(JsonNode n, String at) {
    if (!n.has("interpretation")) {
      if (n.has("note")) {
        throw fail(at + "note", "a note only beside 'interpretation: true'");
      }
      return null;
    }
    if (!bool(n, "interpretation", at)) {
      throw fail(at + "interpretation", "true (leave the field out for a rule the quoted text settles)");
    }
    return text(n, "note", at);
  }

  private List<ComputeThreshold> computeThresholds(List<JsonNode> nodes) {
    List<ComputeThreshold> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      String at = "compute_thresholds[" + i + "].";
      JsonNode n = object(nodes.get(i), at.substring(0, at.length() - 1));
      checkKeys(n, COMPUTE_KEYS, at);
      String id = uniqueId(n, at, ids);
      double flop = positiveFlop(n, "flop", at);
      Set<Activity> only = null;
      if (n.has("activities")) {
        only = EnumSet.noneOf(Activity.class);
        for (JsonNode a : list(n, "activities", at)) {
          only.add(enumText(a, at + "activities", Activity.values(), Activity::yamlName));
        }
      }
      List<String> modalities = new ArrayList<>();
      if (n.has("modalities")) {
        for (JsonNode m : list(n, "modalities", at)) {
          if (!MODALITIES.contains(m.asText())) {
            throw fail(at + "modalities", "one of " + String.join("|", MODALITIES) + ", got '" + m.asText() + "'");
          }
          modalities.add(m.asText());
        }
      }
      out.add(new ComputeThreshold(id, flop, modificationsOnly(n, at), text(n, "meaning", at), only, modalities));
    }
    return out;
  }

  private List<CostThreshold> costThresholds(List<JsonNode> nodes) {
    List<CostThreshold> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      String at = "cost_thresholds[" + i + "].";
      JsonNode n = object(nodes.get(i), at.substring(0, at.length() - 1));
      checkKeys(n, COST_KEYS, at);
      String id = uniqueId(n, at, ids);
      JsonNode amount = required(n, "amount", at);
      BigDecimal value;
      try {
        value = new BigDecimal(amount.asText());
      } catch (NumberFormatException e) {
        throw fail(at + "amount", "a plain amount of money such as 100000000, got '" + amount.asText() + "'");
      }
      if (!amount.isNumber() || value.signum() <= 0) {
        throw fail(at + "amount", "a positive amount of money such as 100000000, got '" + amount.asText() + "'");
      }
      String currency = text(n, "currency", at);
      if (!currency.matches("[A-Z]{3}")) {
        throw fail(at + "currency", "an ISO 4217 code such as USD, got '" + currency + "'");
      }
      out.add(new CostThreshold(id, value, currency, modificationsOnly(n, at), text(n, "meaning", at)));
    }
    return out;
  }

  private Rules rules(JsonNode node) {
    JsonNode rules = object(node, "rules");
    List<String> allowed = new ArrayList<>(RULE_NAMES);
    allowed.add("published_synthetic_data"); // optional: counted when absent
    checkKeys(rules, allowed, "rules.");
    for (String name : RULE_NAMES) {
      required(rules, name, "rules.");
    }
    JsonNode self = object(rules.get("self_released_open_resources"), "rules.self_released_open_resources");
    String selfAt = "rules.self_released_open_resources.";
    checkKeys(self, SELF_RELEASE_KEYS, selfAt);
    SelfRelease selfTreatment = choice(self, "treatment", selfAt, SelfRelease.values(), s -> s.yamlName);
    int window = 0;
    if (selfTreatment == SelfRelease.COUNTED_WITHIN_WINDOW) {
      window = integer(self, "window_months", selfAt, 1);
    } else if (self.has("window_months")) {
      throw fail(selfAt + "window_months", "no window unless treatment is counted-within-window");
    }
    JsonNode risk = object(rules.get("risk_only"), "rules.risk_only");
    checkKeys(risk, RULE_KEYS, "rules.risk_only.");
    return new Rules(rule(rules, "evaluations"), rule(rules, "discarded_branches"), rule(rules, "teachers"),
        rule(rules, "data_generators"), rule(rules, "base_models"), rule(rules, "third_party_open_resources"),
        new SelfReleaseRule(selfTreatment, window, text(self, "basis", selfAt), interpretation(self, selfAt)),
        new RiskOnlyRule(choice(risk, "treatment", "rules.risk_only.", RiskOnly.values(), r -> r.yamlName),
            text(risk, "basis", "rules.risk_only."), interpretation(risk, "rules.risk_only.")),
        rules.has("published_synthetic_data") ? rule(rules, "published_synthetic_data")
            : new Rule(Treatment.COUNTED, "the standard has no rule for published synthetic data, so its generation"
                + " counts like any other"));
  }

  private Rule rule(JsonNode rules, String name) {
    String at = "rules." + name + ".";
    JsonNode n = object(rules.get(name), "rules." + name);
    checkKeys(n, RULE_KEYS, at);
    return new Rule(choice(n, "treatment", at, Treatment.values(), t -> t.yamlName), text(n, "basis", at),
        interpretation(n, at));
  }

  // ---- values ----

  private boolean modificationsOnly(JsonNode n, String at) {
    if (!n.has("applies_to")) {
      return false;
    }
    String v = text(n, "applies_to", at);
    if (v.equals("modifications")) {
      return true;
    }
    if (v.equals("all")) {
      return false;
    }
    throw fail(at + "applies_to", "all|modifications, got '" + v + "'");
  }

  private String uniqueId(JsonNode n, String at, Set<String> ids) {
    String id = text(n, "id", at);
    if (!id.matches(ID_PATTERN)) {
      throw fail(at + "id", "lower-case letters, digits, '.', '_' or '-', got '" + id + "'");
    }
    if (!ids.add(id)) {
      throw fail(at + "id", "a threshold id not used twice, got '" + id + "' again");
    }
    return id;
  }

  private void checkKeys(JsonNode n, List<String> allowed, String at) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw fail(at + key, "no such field; expected one of " + String.join(", ", allowed));
      }
    }
  }

  private JsonNode required(JsonNode n, String key, String at) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      throw fail(at + key, "a value; the field is missing");
    }
    return v;
  }

  private JsonNode object(JsonNode n, String at) {
    if (n == null || !n.isObject()) {
      throw fail(at, "a mapping of fields to values");
    }
    return n;
  }

  private List<JsonNode> list(JsonNode n, String key, String at) {
    JsonNode v = required(n, key, at);
    if (!v.isArray()) {
      throw fail(at + key, "a list (use [] for none)");
    }
    List<JsonNode> out = new ArrayList<>();
    v.forEach(out::add);
    return out;
  }

  private String text(JsonNode n, String key, String at) {
    JsonNode v = required(n, key, at);
    if (!v.isValueNode() || v.asText().isBlank()) {
      throw fail(at + key, "a non-empty text");
    }
    return v.asText().strip();
  }

  private List<String> texts(JsonNode n, String key, boolean nonEmpty) {
    List<String> out = new ArrayList<>();
    for (JsonNode item : list(n, key, "")) {
      if (!item.isValueNode() || item.asText().isBlank()) {
        throw fail(key, "a list of non-empty texts");
      }
      out.add(item.asText().strip());
    }
    if (nonEmpty && out.isEmpty()) {
      throw fail(key, "at least one entry");
    }
    return out;
  }

  private double number(JsonNode n, String key, String at) {
    JsonNode v = required(n, key, at);
    if (!v.isNumber()) {
      throw fail(at + key, "a number, got '" + v.asText() + "'");
    }
    return v.doubleValue();
  }

  private int integer(JsonNode n, String key, String at, int min) {
    JsonNode v = required(n, key, at);
    if (!v.isIntegralNumber() || v.intValue() < min) {
      throw fail(at + key, "a whole number of at least " + min + ", got '" + v.asText() + "'");
    }
    return v.intValue();
  }

  private boolean bool(JsonNode n, String key, String at) {
    JsonNode v = required(n, key, at);
    if (!v.isBoolean()) {
      throw fail(at + key, "true or false, got '" + v.asText() + "'");
    }
    return v.booleanValue();
  }

  private LocalDate date(JsonNode n, String key, String at) {
    String v = text(n, key, at);
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw fail(at + key, "an ISO date such as 2025-08-02, got '" + v + "'");
    }
  }

  private <E> E choice(JsonNode n, String key, String at, E[] values, Function<E, String> name) {
    return enumText(required(n, key, at), at + key, values, name);
  }

  private <E> E enumText(JsonNode v, String field, E[] values, Function<E, String> name) {
    List<String> names = new ArrayList<>();
    for (E e : values) {
      if (name.apply(e).equals(v.asText())) {
        return e;
      }
      names.add(name.apply(e));
    }
    throw fail(field, "one of " + String.join("|", names) + ", got '" + v.asText() + "'");
  }

  private StandardException fail(String field, String expected) {
    return new StandardException(file + ": field '" + field + "': expected " + expected);
  }
}
