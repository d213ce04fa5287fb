package org.computeledger.audit;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.computeledger.attribute.MarketPrices;
import org.computeledger.attribute.ResourceMap;
import org.computeledger.schema.Charges;
import org.computeledger.schema.Table;

/**
 * The audit's second computation of a drawn job's billed and effective cost, in plain Java from the bill
 * lines and scheduler lines of the sample, parsed again by the product's parsers: written once more from
 * the rules methodology.md states for cost attribution, not by calling the report's Spark code, so that an
 * error in either shows as a difference.
 *
 * <p>The rules, as stated: a charge whose resource id {@code resources.csv} maps to a host over its period is
 * cut at each change of host (each piece the cost of its seconds, the rest over the whole period going on to
 * the next rules); a charge bills the first known GPU node one of its names gives, tried in order
 * (the resources.csv host, host tag, kubernetes.io/hostname label, instance name, Name tag, resource id); charges of one provider,
 * currency, node and period are added up; each allocation on the node takes cost × (its GPUs × the whole
 * seconds it overlaps the period) ÷ max(node GPUs × period seconds, what all allocations on the node held
 * in the period), rounded half-up to 12 decimals; a job's cost is the sum over its allocations. A job still
 * running is held until the end of the logs.
 */
final class CostRecompute {
  /** Money scale of the report (DECIMAL(38,12)). */
  static final int SCALE = 12;
  /** Rule names as methodology.md and the report's {@code match_rule} give them. */
  static final String[] RULES = {"host tag", "kubernetes.io/hostname label", "instance name", "Name tag", "resource id"};
  /** The rule name of a host {@code resources.csv} gives, as the report's {@code match_rule} gives it. */
  static final String RULE_RESOURCES = "resources.csv";
  private static final Pattern LAST_SEGMENT = Pattern.compile("([^/]+)/*$");

  /** One bill line as the recompute reads it: the node its rule gives (null: none) and its money. */
  record Charge(String provider, String currency, String node, String rule, Long startS, Long endS, BigDecimal billed,
      BigDecimal effective, String file, long line) {}

  /** A job's recomputed cost in one currency, and the charges (bill lines) it rests on. */
  record Cost(String currency, BigDecimal billed, BigDecimal effective, int charges) {}

  private CostRecompute() {}

  /** The bill lines parsed again, each with the node and rule that place it among {@code knownNodes}. */
  static List<Charge> charges(List<Object[]> rows, Set<String> knownNodes) {
    return charges(rows, knownNodes, List.of());
  }

  /**
   * As {@link #charges(List, Set)}, with the {@code resources.csv} lines of the evidence: a bill line whose
   * resource id they map over its period is cut into one piece per line, in time order, and, when they
   * leave part of the period uncovered, a rest over the whole period that the other rules place.
   */
  static List<Charge> charges(List<Object[]> rows, Set<String> knownNodes, List<ResourceMap.Entry> resources) {
    Table t = Table.CHARGES;
    Map<String, List<ResourceMap.Entry>> byId = new TreeMap<>();
    for (ResourceMap.Entry e : resources) {
      byId.computeIfAbsent(e.resourceId(), k -> new ArrayList<>()).add(e);
    }
    List<Charge> out = new ArrayList<>();
    for (Object[] r : rows) {
      Object start = r[t.index(Charges.CHARGE_PERIOD_START)];
      Object end = r[t.index(Charges.CHARGE_PERIOD_END)];
      Object line = r[t.index(Charges.SOURCE_LINE)];
      Long from = start == null ? null : Math.floorDiv(Recompute.us(start), 1_000_000L);
      Long to = end == null ? null : Math.floorDiv(Recompute.us(end), 1_000_000L);
      BigDecimal billed = money(r[t.index(Charges.BILLED_COST)]);
      BigDecimal effective = money(r[t.index(Charges.EFFECTIVE_COST)]);
      String file = (String) r[t.index(Charges.SOURCE_FILE)];
      long lineNo = line == null ? 0 : ((Number) line).longValue();
      String provider = (String) r[t.index(Charges.PROVIDER)];
      String currency = (String) r[t.index(Charges.CURRENCY)];
      List<long[]> cuts = new ArrayList<>();
      List<String> hosts = new ArrayList<>();
      if (from != null && to != null && to > from) {
        for (ResourceMap.Entry e : byId.getOrDefault((String) r[t.index(Charges.RESOURCE_ID)], List.of())) {
          long ps = e.from() == null ? from : Math.max(from, e.from().getEpochSecond());
          long pe = e.to() == null ? to : Math.min(to, e.to().getEpochSecond());
          if (ps < pe) {
            cuts.add(new long[] {ps, pe, hosts.size()});
            hosts.add(e.host());
          }
        }
      }
      if (cuts.isEmpty()) {
        String[] hit = node(r, knownNodes, null);
        out.add(new Charge(provider, currency, hit == null ? null : hit[0], hit == null ? null : hit[1], from, to,
            billed, effective, file, lineNo));
        continue;
      }
      // each piece takes the cost of the seconds covered up to its end less those up to its start, both
      // rounded, so that the pieces add up to the whole when the lines cover the period
      cuts.sort((a, b) -> Long.compare(a[0], b[0]));
      long dur = to - from;
      long covered = 0;
      for (long[] c : cuts) {
        long before = covered;
        covered += c[1] - c[0];
        String[] hit = node(r, knownNodes, hosts.get((int) c[2]));
        out.add(new Charge(provider, currency, hit == null ? null : hit[0], hit == null ? null : hit[1], c[0], c[1],
            piece(billed, before, covered, dur), piece(effective, before, covered, dur), file, lineNo));
      }
      if (covered < dur) {
        String[] hit = node(r, knownNodes, null);
        BigDecimal dd = BigDecimal.valueOf(dur);
        out.add(new Charge(provider, currency, hit == null ? null : hit[0], hit == null ? null : hit[1], from, to,
            billed.subtract(share(billed, covered, dd)), effective.subtract(share(effective, covered, dd)), file, lineNo));
      }
    }
    return out;
  }

  /** A piece's cost: the share of the seconds covered up to its end less that up to its start. */
  private static BigDecimal piece(BigDecimal cost, long before, long upTo, long dur) {
    BigDecimal d = BigDecimal.valueOf(dur);
    return share(cost, upTo, d).subtract(share(cost, before, d));
  }

  private static BigDecimal money(Object v) {
    // a null cost counts as zero
    return v == null ? BigDecimal.ZERO : new BigDecimal(v.toString());
  }

  /**
   * The first known node a charge's names give, with the rule's name; null when none does. {@code mapped}
   * is the host {@code resources.csv} gives the piece (null: none), tried first.
   */
  static String[] node(Object[] r, Set<String> known, String mapped) {
    if (mapped != null && known.contains(mapped)) {
      return new String[] {mapped, RULE_RESOURCES};
    }
    Table t = Table.CHARGES;
    Map<String, String> tags = tags(r[t.index(Charges.TAGS)]);
    String name = (String) r[t.index(Charges.RESOURCE_NAME)];
    String id = (String) r[t.index(Charges.RESOURCE_ID)];
    String[][] candidates = {
        {tags.get("host"), tags.get("user:host"), tags.get("ledger-node"), tags.get("node"), tags.get("hostname")},
        {tags.get("kubernetes.io/hostname"), tags.get("k8s-label/kubernetes.io/hostname")},
        {name, lastSegment(name), lastSegment(id)},
        {tags.get("Name"), tags.get("user:Name")},
        {id}};
    for (int i = 0; i < candidates.length; i++) {
      for (String c : candidates[i]) {
        if (c != null && known.contains(c)) {
          return new String[] {c, RULES[i]};
        }
      }
    }
    return null;
  }

  private static String lastSegment(String s) {
    if (s == null) {
      return null;
    }
    Matcher m = LAST_SEGMENT.matcher(s);
    return m.find() ? m.group(1) : "";
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> tags(Object v) {
    if (v instanceof Map<?, ?> m) {
      return (Map<String, String>) m;
    }
    if (v instanceof scala.collection.Map<?, ?> m) {
      return scala.collection.JavaConverters.mapAsJavaMap((scala.collection.Map<String, String>) m);
    }
    return Map.of();
  }

  /**
   * One charge group (provider, currency, node, period) as it is spread to a job: its summed amounts and bill
   * lines, the spread's denominator max(node GPUs × period seconds, what all allocations on the node held in
   * the period), and the GPU-seconds each of the job's allocations held in it (none zero). Nothing is rounded
   * yet: each caller takes its shares with {@link #share}.
   */
  record Spread(String currency, long fromS, BigDecimal billed, BigDecimal effective, int lines,
      BigDecimal denominator, List<Long> held) {
    /** What the job's allocations held in the group together. */
    long mine() {
      return held.stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * The charge groups the job's allocations held a part of, in a fixed order: charges of one provider,
   * currency, node and period are spread as one amount (see the class comment).
   */
  static List<Spread> spreads(String jobKey, List<Charge> charges, List<Recompute.Alloc> allocs,
      Map<String, Integer> nodeGpus, long logEndUs) {
    Map<List<Object>, BigDecimal[]> groups = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    for (Charge c : charges) {
      if (c.node() == null || c.startS() == null || c.endS() == null || c.endS() <= c.startS()) {
        continue;
      }
      List<Object> key = java.util.Arrays.asList(c.provider(), c.currency(), c.node(), c.startS(), c.endS());
      BigDecimal[] sum = groups.computeIfAbsent(key, k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO,
          BigDecimal.ZERO});
      sum[0] = sum[0].add(c.billed());
      sum[1] = sum[1].add(c.effective());
      sum[2] = sum[2].add(BigDecimal.ONE);
    }
    List<Spread> out = new ArrayList<>();
    for (Map.Entry<List<Object>, BigDecimal[]> g : groups.entrySet()) {
      String node = (String) g.getKey().get(2);
      long from = (Long) g.getKey().get(3);
      long to = (Long) g.getKey().get(4);
      long all = 0;
      List<Long> mine = new ArrayList<>();
      for (Recompute.Alloc a : allocs) {
        long held = held(a, node, from, to, logEndUs);
        all += held;
        if (held > 0 && jobKey.equals(a.jobKey())) {
          mine.add(held);
        }
      }
      if (mine.isEmpty()) {
        continue;
      }
      long capacity = (long) nodeGpus.getOrDefault(node, 0) * (to - from);
      out.add(new Spread((String) g.getKey().get(1), from, g.getValue()[0], g.getValue()[1],
          g.getValue()[2].intValue(), BigDecimal.valueOf(Math.max(capacity, all)), mine));
    }
    return out;
  }

  /**
   * The job's cost per currency from the charges on its nodes: see the class comment. {@code nodeGpus}
   * gives each node's GPUs; {@code logEndUs} ends a job still running.
   */
  static List<Cost> job(String jobKey, List<Charge> charges, List<Recompute.Alloc> allocs,
      Map<String, Integer> nodeGpus, long logEndUs) {
    Map<String, BigDecimal[]> byCurrency = new TreeMap<>((a, b) -> String.valueOf(a).compareTo(String.valueOf(b)));
    for (Spread g : spreads(jobKey, charges, allocs, nodeGpus, logEndUs)) {
      BigDecimal[] sum = byCurrency.computeIfAbsent(g.currency(), k -> new BigDecimal[] {
          BigDecimal.ZERO.setScale(SCALE), BigDecimal.ZERO.setScale(SCALE), BigDecimal.ZERO});
      // the job's allocations together take one share of the group
      sum[0] = sum[0].add(share(g.billed(), g.mine(), g.denominator()));
      sum[1] = sum[1].add(share(g.effective(), g.mine(), g.denominator()));
      sum[2] = sum[2].add(BigDecimal.valueOf(g.lines()));
    }
    List<Cost> out = new ArrayList<>();
    byCurrency.forEach((c, s) -> out.add(new Cost(c, s[0], s[1], s[2].intValue())));
    return out;
  }

  /**
   * The job's market cost per currency, from the copied {@code prices.csv}: for each of its allocations, GPU
   * count × whole seconds held (to the end of the logs for a job still running) × the price of its GPU model
   * in effect on its start date (UTC; the latest {@code effective_date} not after it) ÷ 3600, rounded half-up
   * to 12 decimals; an allocation without such a price adds nothing. {@code modelOf} gives an allocation's
   * GPU model id as the estimate read it (its node's telemetry, else its own record).
   */
  static Map<String, BigDecimal> market(String jobKey, List<Recompute.Alloc> allocs,
      java.util.function.Function<Recompute.Alloc, String> modelOf, List<MarketPrices.Price> prices, long logEndUs) {
    return market(jobKey, allocs, modelOf, prices, logEndUs, null, null);
  }

  /**
   * The job's market cost in {@code reportCurrency}: each allocation's market cost (as {@link #market}) times
   * the fx.csv rate from its price's currency dated on, or latest before, the allocation's start day (UTC),
   * summed and rounded half-up to 12 decimals. Null when the job has no market cost or a piece finds no rate.
   */
  static BigDecimal marketConverted(String jobKey, List<Recompute.Alloc> allocs,
      java.util.function.Function<Recompute.Alloc, String> modelOf, List<MarketPrices.Price> prices, long logEndUs,
      List<org.computeledger.attribute.FxRates.Rate> rates, String reportCurrency) {
    Map<String, BigDecimal> m = market(jobKey, allocs, modelOf, prices, logEndUs, rates, reportCurrency);
    BigDecimal v = m.get(reportCurrency);
    return m.size() == 1 && v != null ? v.setScale(SCALE, RoundingMode.HALF_UP) : null;
  }

  /** {@link #market}; with {@code rates}, each piece converted to {@code reportCurrency} (key "" once a rate is missing). */
  private static Map<String, BigDecimal> market(String jobKey, List<Recompute.Alloc> allocs,
      java.util.function.Function<Recompute.Alloc, String> modelOf, List<MarketPrices.Price> prices, long logEndUs,
      List<org.computeledger.attribute.FxRates.Rate> rates, String reportCurrency) {
    Map<String, BigDecimal> out = new TreeMap<>();
    for (Recompute.Alloc a : allocs) {
      if (!jobKey.equals(a.jobKey()) || a.node() == null || a.startUs() == null) {
        continue;
      }
      long start = Math.floorDiv(a.startUs(), 1_000_000L);
      long end = Math.floorDiv(a.endUs() != null ? a.endUs() : logEndUs, 1_000_000L);
      String model = modelOf.apply(a);
      if (end <= start || model == null) {
        continue;
      }
      java.time.LocalDate day = java.time.LocalDate.ofEpochDay(Math.floorDiv(start, 86_400L));
      MarketPrices.Price price = null;
      for (MarketPrices.Price x : prices) {
        if (x.gpuModel().equals(model.toLowerCase(java.util.Locale.ROOT).strip()) && !x.effectiveDate().isAfter(day)
            && (price == null || x.effectiveDate().isAfter(price.effectiveDate()))) {
          price = x;
        }
      }
      if (price == null) {
        continue;
      }
      BigDecimal cost = price.pricePerGpuHour().multiply(BigDecimal.valueOf((long) a.gpus() * (end - start)))
          .divide(BigDecimal.valueOf(3600), SCALE, RoundingMode.HALF_UP);
      if (rates == null) {
        out.merge(price.currency(), cost, BigDecimal::add);
        continue;
      }
      BigDecimal rate = rate(rates, price.currency(), reportCurrency, Math.floorDiv(start, 86_400L));
      out.merge(rate == null ? "" : reportCurrency, rate == null ? BigDecimal.ZERO : cost.multiply(rate), BigDecimal::add);
    }
    return out;
  }

  /**
   * The job's billed and effective cost in {@code reportCurrency}, from the copied {@code fx.csv}: each of its
   * allocations' share of each charge group (spread as in {@link #job}) times the rate from the charge's
   * currency dated on, or most recently before, the UTC day of the charge period start (rate 1 in the
   * reporting currency itself), summed unrounded and rounded half-up to 12 decimals at the end. Null when a
   * share finds no rate: no rate is guessed or carried back in time. Written apart from the report's
   * conversion (attribute/FxConversion), so that an error in either shows as a difference.
   */
  static BigDecimal[] converted(String jobKey, List<Charge> charges, List<Recompute.Alloc> allocs,
      Map<String, Integer> nodeGpus, long logEndUs, List<org.computeledger.attribute.FxRates.Rate> rates,
      String reportCurrency) {
    BigDecimal billed = BigDecimal.ZERO;
    BigDecimal effective = BigDecimal.ZERO;
    for (Spread g : spreads(jobKey, charges, allocs, nodeGpus, logEndUs)) {
      BigDecimal rate = rate(rates, g.currency(), reportCurrency, Math.floorDiv(g.fromS(), 86_400L));
      if (rate == null) {
        return null;
      }
      // each allocation's share is converted as the report converts it, one piece per allocation and charge
      for (long mine : g.held()) {
        billed = billed.add(share(g.billed(), mine, g.denominator()).multiply(rate));
        effective = effective.add(share(g.effective(), mine, g.denominator()).multiply(rate));
      }
    }
    return new BigDecimal[] {billed.setScale(SCALE, RoundingMode.HALF_UP), effective.setScale(SCALE, RoundingMode.HALF_UP)};
  }

  /** The fx.csv rate from {@code from} to {@code to} dated on or latest before epoch day {@code day}; 1 when equal. */
  static BigDecimal rate(List<org.computeledger.attribute.FxRates.Rate> rates, String from, String to, long day) {
    if (from != null && from.equalsIgnoreCase(to)) {
      return BigDecimal.ONE;
    }
    java.time.LocalDate d = java.time.LocalDate.ofEpochDay(day);
    org.computeledger.attribute.FxRates.Rate best = null;
    for (org.computeledger.attribute.FxRates.Rate r : rates) {
      if (from != null && r.from().equalsIgnoreCase(from) && r.to().equalsIgnoreCase(to) && !r.date().isAfter(d)
          && (best == null || r.date().isAfter(best.date()))) {
        best = r;
      }
    }
    return best == null ? null : best.rate();
  }

  /** cost × held ÷ denominator, rounded half-up to 12 decimals. */
  static BigDecimal share(BigDecimal cost, long held, BigDecimal denominator) {
    return cost.multiply(BigDecimal.valueOf(held)).divide(denominator, SCALE, RoundingMode.HALF_UP);
  }

  /**
   * GPU-seconds allocation {@code a} held on {@code node} within [from, to) (epoch seconds): its GPUs ×
   * the whole seconds of overlap; a job without an end is held until the end of the logs.
   */
  static long held(Recompute.Alloc a, String node, long from, long to, long logEndUs) {
    if (!node.equals(a.node()) || a.startUs() == null || a.gpus() <= 0) {
      return 0;
    }
    long start = Math.floorDiv(a.startUs(), 1_000_000L);
    long end = Math.floorDiv(a.endUs() != null ? a.endUs() : logEndUs, 1_000_000L);
    if (end <= start) {
      return 0;
    }
    long overlap = Math.min(end, to) - Math.max(start, from);
    return overlap > 0 ? overlap * a.gpus() : 0;
  }
}
