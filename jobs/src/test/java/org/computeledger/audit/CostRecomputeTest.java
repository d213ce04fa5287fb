package org.computeledger.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.computeledger.attribute.ResourceMap;
import org.computeledger.ingest.Formats;
import org.computeledger.ingest.IngestParams;
import org.computeledger.ingest.InputFile;
import org.junit.jupiter.api.Test;

/**
 * The audit's own cost attribution from bill lines and scheduler lines, both parsed by the product's
 * parsers from real-format text (the sample logs' FOCUS export and sacct --parsable2): an hourly charge of
 * an 8-GPU node spread by GPU-seconds, over-commitment, and the order of the node-matching rules.
 * Expected amounts by hand.
 */
class CostRecomputeTest {
  private static final String FOCUS_HEADER = "\"AvailabilityZone\",\"BilledCost\",\"BillingAccountId\",\"BillingAccountName\",\"BillingCurrency\",\"BillingPeriodEnd\",\"BillingPeriodStart\",\"ChargeCategory\",\"ChargeClass\",\"ChargeDescription\",\"ChargeFrequency\",\"ChargePeriodEnd\",\"ChargePeriodStart\",\"CommitmentDiscountCategory\",\"CommitmentDiscountId\",\"CommitmentDiscountName\",\"CommitmentDiscountStatus\",\"CommitmentDiscountType\",\"ConsumedQuantity\",\"ConsumedUnit\",\"ContractedCost\",\"ContractedUnitPrice\",\"EffectiveCost\",\"InvoiceIssuerName\",\"ListCost\",\"ListUnitPrice\",\"PricingCategory\",\"PricingQuantity\",\"PricingUnit\",\"ProviderName\",\"PublisherName\",\"RegionId\",\"RegionName\",\"ResourceId\",\"ResourceName\",\"ResourceType\",\"ServiceCategory\",\"Id\",\"ServiceName\",\"SkuId\",\"SkuPriceId\",\"SubAccountId\",\"SubAccountName\",\"Tags\"";
  /** A line of sample-logs/billing/focus-2026-03.csv: gpu001, 2026-03-02 00:00-01:00, USD 98.32. */
  private static final String FOCUS_ROW = "\"us-east-2b\",98.32000000000,\"730281946512\",\"Lumen Lab\",\"USD\",\"2026-04-01 00:00:00\",\"2026-03-01 00:00:00\",\"Usage\",NULL,\"$98.32 per On Demand Linux p5.48xlarge Instance Hour\",\"Usage-Based\",\"2026-03-02 01:00:00\",\"2026-03-02 00:00:00\",NULL,NULL,NULL,NULL,NULL,1.000000000000000,\"Hours\",98.32000000000,98.32000000000,98.32000000000,\"Amazon Web Services, Inc.\",98.32000000000,\"98.32\",\"Standard\",1.00000000000,\"Hours\",\"AWS\",\"Amazon Web Services, Inc.\",\"us-east-2\",\"US East (Ohio)\",\"i-0gpu00153218615\",\"gpu001\",\"instance\",\"Compute\",310001,\"Amazon Elastic Compute Cloud\",\"EDPK8AUT5HAMPEE9\",\"EDPK8AUT5HAMPEE9.JRTCKXETXF.6YS6EN2CT7\",\"418273645501\",\"lumen-research\",\"{\"\"cluster\"\": \"\"lumen\"\", \"\"node\"\": \"\"gpu001\"\", \"\"partition\"\": \"\"h100\"\"}\"";
  private static final String SACCT_HEADER =
      "JobID|JobIDRaw|Cluster|Partition|Account|User|WCKey|Comment|JobName|State|Submit|Start|End|Elapsed|NNodes|NodeList|AllocTRES";

  /** The sample's FOCUS line with its cost, period, resource id and name, and tags replaced. */
  private static String charge(String cost, String from, String to, String id, String name, String tags) throws IOException {
    CSVRecord r = CSVFormat.RFC4180.parse(new StringReader(FOCUS_ROW)).getRecords().get(0);
    List<String> v = new ArrayList<>(r.toList());
    v.set(1, cost);
    v.set(11, to);
    v.set(12, from);
    v.set(22, cost);
    v.set(33, id);
    v.set(34, name);
    v.set(v.size() - 1, tags);
    StringWriter out = new StringWriter();
    try (CSVPrinter p = new CSVPrinter(out, CSVFormat.RFC4180.builder().setRecordSeparator("").build())) {
      p.printRecord(v);
    }
    return out.toString();
  }

  private static String job(String id, String start, String end, int gpus) {
    return id + "|" + id + "|lumen|h100|atlas|apatel|sft||j" + id + "|COMPLETED|" + start + "|" + start + "|" + end
        + "|01:00:00|1|gpu004|billing=48,cpu=48,gres/gpu=" + gpus + ",mem=500G,node=1";
  }

  private static List<Object[]> parse(String format, String header, List<String> lines) throws IOException {
    TreeMap<Long, String> text = new TreeMap<>();
    text.put(1L, header);
    for (int i = 0; i < lines.size(); i++) {
      text.put(i + 2L, lines.get(i));
    }
    List<Object[]> rows = new ArrayList<>();
    for (RawLines.Parsed p : RawLines.reparse(Formats.byId(format), new InputFile("f", "billing", IngestParams.defaults()),
        text)) {
      rows.add(p.row());
    }
    assertEquals(lines.size(), rows.size(), "every fixture line parses");
    return rows;
  }

  private static BigDecimal billed(String jobKey, List<String> bill, List<String> sacct) throws IOException {
    return billed(jobKey, bill, sacct, List.of());
  }

  private static BigDecimal billed(String jobKey, List<String> bill, List<String> sacct,
      List<ResourceMap.Entry> resources) throws IOException {
    List<Recompute.Alloc> allocs = Recompute.allocs(parse("slurm-sacct", SACCT_HEADER, sacct));
    Map<String, Integer> gpus = Map.of("gpu004", 8);
    List<CostRecompute.Charge> charges = CostRecompute.charges(parse("focus", FOCUS_HEADER, bill), gpus.keySet(),
        resources);
    List<CostRecompute.Cost> c = CostRecompute.job(jobKey, charges, allocs, gpus, 0);
    return c.isEmpty() ? null : c.get(0).billed();
  }

  private static final String NODE_TAG = "{\"node\": \"gpu004\"}";

  @Test
  void anHourlyNodeChargeIsSpreadByGpuSecondsOverTheNodesCapacity() throws IOException {
    List<String> bill = List.of(charge("98.32", "2026-03-02 09:00:00", "2026-03-02 10:00:00", "i-04", "gpu004", "{}"));
    List<String> sacct = List.of(job("48109", "2026-03-02T09:30:00", "2026-03-02T21:00:00", 4),
        job("48110", "2026-03-02T09:00:00", "2026-03-02T09:45:00", 4));
    // 98.32 × (4 GPUs × 1800 s) / (8 GPUs × 3600 s) and × (4 × 2700) / 28800
    assertEquals(new BigDecimal("24.580000000000"), billed("lumen/48109", bill, sacct));
    assertEquals(new BigDecimal("36.870000000000"), billed("lumen/48110", bill, sacct));
  }

  @Test
  void overCommittedJobsShareTheChargeByWhatTheyHeldRoundedHalfUpToTwelveDecimals() throws IOException {
    List<String> bill = List.of(charge("98.32", "2026-03-02 09:00:00", "2026-03-02 10:00:00", "i-04", "gpu004", "{}"));
    List<String> sacct = List.of(job("48109", "2026-03-02T09:30:00", "2026-03-02T21:00:00", 4),
        job("48110", "2026-03-02T09:00:00", "2026-03-02T09:45:00", 4),
        job("48111", "2026-03-02T09:00:00", "2026-03-02T10:00:00", 8));
    // held 7200 + 10800 + 28800 = 46800 GPU-s > 28800: 98.32 × 7200 / 46800 = 15.1261538461538…
    assertEquals(new BigDecimal("15.126153846154"), billed("lumen/48109", bill, sacct));
  }

  @Test
  void aHostTagPlacesAChargeBeforeItsInstanceNameAndUnknownNamesBillNoNode() throws IOException {
    List<String> sacct = List.of(job("48109", "2026-03-02T09:00:00", "2026-03-02T10:00:00", 8));
    // the instance name is another machine's, the host tag names gpu004: the tag wins
    List<String> tagged = List.of(charge("10", "2026-03-02 09:00:00", "2026-03-02 10:00:00", "i-04", "cpu-box", NODE_TAG));
    assertEquals(new BigDecimal("10.000000000000"), billed("lumen/48109", tagged, sacct));
    List<String> other = List.of(charge("10", "2026-03-02 09:00:00", "2026-03-02 10:00:00", "i-04", "cpu-box", "{}"));
    assertNull(billed("lumen/48109", other, sacct));
  }

  /** resources.csv's lines, as its reader gives them. */
  private static List<ResourceMap.Entry> resources(String csv) throws IOException {
    return ResourceMap.parse(new StringReader(csv), "resources.csv");
  }

  @Test
  void aChargeWhoseInstanceLeavesTheNodeMidHourIsCutBySecondsAndTheRestBillsNoNode() throws IOException {
    // the instance was gpu004 until 09:20; after that resources.csv names no host and its name is no node's
    List<String> bill = List.of(charge("98.32", "2026-03-02 09:00:00", "2026-03-02 10:00:00", "i-04", "cpu-box", "{}"));
    List<String> sacct = List.of(job("48109", "2026-03-02T09:00:00", "2026-03-02T10:00:00", 8));
    List<ResourceMap.Entry> map = resources("resource_id,host,valid_from,valid_to\ni-04,gpu004,,2026-03-02T09:20:00Z\n");
    // 98.32 × 1200 / 3600 = 32.7733333333333…, half-up at 12 decimals; the job held all 8 GPUs of the piece
    assertEquals(new BigDecimal("32.773333333333"), billed("lumen/48109", bill, sacct, map));
    assertNull(billed("lumen/48109", bill, sacct), "without resources.csv no rule places the charge");
  }

  @Test
  void theRestOfACutChargeGoesOnToTheOtherRulesAndThePiecesAddUpToTheCharge() throws IOException {
    List<String> bill = List.of(charge("98.32", "2026-03-02 09:00:00", "2026-03-02 10:00:00", "i-04", "cpu-box", NODE_TAG));
    List<String> sacct = List.of(job("48109", "2026-03-02T09:00:00", "2026-03-02T10:00:00", 8));
    List<ResourceMap.Entry> map = resources("resource_id,host,valid_from,valid_to\ni-04,gpu004,,2026-03-02T09:20:00Z\n");
    // the piece 32.773333333333 by resources.csv, the rest 98.32 − 32.773333333333 = 65.546666666667 by the host tag
    assertEquals(new BigDecimal("98.320000000000"), billed("lumen/48109", bill, sacct, map));
  }

  @Test
  void aJobsMarketCostIsItsGpuHoursAtThePriceInEffectOnItsStartDate() throws IOException {
    List<Recompute.Alloc> allocs = Recompute.allocs(parse("slurm-sacct", SACCT_HEADER, List.of(
        job("48109", "2026-03-02T09:00:00", "2026-03-02T09:45:00", 8),
        job("48110", "2026-01-15T09:00:00", "2026-01-15T10:00:00", 4))));
    List<org.computeledger.attribute.MarketPrices.Price> prices = org.computeledger.attribute.MarketPrices.parse(
        new StringReader("gpu_model,price_per_gpu_hour,currency,effective_date,source\n"
            + "h100-sxm,3.10,USD,2025-10-01,list\nh100-sxm,2.85,USD,2026-02-01,list\nh100-sxm,2.50,USD,2026-04-01,list\n"), "prices.csv");
    // 8 GPUs × 2700 s × 2.85 / 3600 (the February price: the latest not after 2026-03-02)
    assertEquals(Map.of("USD", new BigDecimal("17.100000000000")),
        CostRecompute.market("lumen/48109", allocs, a -> "h100-sxm", prices, 0));
    // 4 GPUs × 3600 s × 3.10 / 3600 (the October price)
    assertEquals(Map.of("USD", new BigDecimal("12.400000000000")),
        CostRecompute.market("lumen/48110", allocs, a -> "h100-sxm", prices, 0));
    assertEquals(Map.of(), CostRecompute.market("lumen/48109", allocs, a -> "a100-sxm4-80gb", prices, 0),
        "no price for the model: no market cost, never zero");
  }
  @Test
  void aJobsSharesOfEachChargeAreConvertedAtTheRateOfTheChargeStartDayOrTheLatestBefore() throws IOException {
    List<String> bill = List.of(
        charge("98.32", "2026-03-02 09:00:00", "2026-03-02 10:00:00", "i-04", "gpu004", "{}"),
        charge("100", "2026-03-04 09:00:00", "2026-03-04 10:00:00", "i-04", "gpu004", "{}"));
    List<String> sacct = List.of(job("48109", "2026-03-02T09:30:00", "2026-03-04T09:30:00", 4));
    List<Recompute.Alloc> allocs = Recompute.allocs(parse("slurm-sacct", SACCT_HEADER, sacct));
    Map<String, Integer> gpus = Map.of("gpu004", 8);
    List<CostRecompute.Charge> charges = CostRecompute.charges(parse("focus", FOCUS_HEADER, bill), gpus.keySet(),
        List.of());
    List<org.computeledger.attribute.FxRates.Rate> rates = org.computeledger.attribute.FxRates.parse(new StringReader(
        "date,from_currency,to_currency,rate,source\n2026-03-01,USD,EUR,0.92,ecb\n2026-03-03,USD,EUR,0.95,ecb\n"
            + "2026-03-05,USD,EUR,0.99,ecb\n"), "fx.csv");
    // 98.32 × (4 × 1800) / 28800 = 24.58 at the 03-01 rate (none on 03-02): 22.6136;
    // 100 × (4 × 1800) / 28800 = 25 at the 03-03 rate (none on 03-04): 23.75; the 03-05 rate is later than both
    BigDecimal[] c = CostRecompute.converted("lumen/48109", charges, allocs, gpus, 0, rates, "EUR");
    assertEquals(new BigDecimal("46.363600000000"), c[0]);
    assertEquals(new BigDecimal("46.363600000000"), c[1]);
    assertNull(CostRecompute.converted("lumen/48109", charges, allocs, gpus, 0, rates, "GBP"),
        "no USD->GBP rate: no converted cost, never a guess");
    assertEquals(new BigDecimal("49.580000000000"),
        CostRecompute.converted("lumen/48109", charges, allocs, gpus, 0, rates, "USD")[0], "same currency: rate 1");
  }
  @Test
  void aJobsMarketCostIsConvertedAtTheRateOfEachAllocationsStartDay() throws IOException {
    List<Recompute.Alloc> allocs = Recompute.allocs(parse("slurm-sacct", SACCT_HEADER, List.of(
        job("48109", "2026-03-02T09:00:00", "2026-03-02T09:45:00", 8))));
    List<org.computeledger.attribute.MarketPrices.Price> prices = org.computeledger.attribute.MarketPrices.parse(
        new StringReader("gpu_model,price_per_gpu_hour,currency,effective_date,source\nh100-sxm,2.85,USD,2026-02-01,list\n"),
        "prices.csv");
    List<org.computeledger.attribute.FxRates.Rate> rates = org.computeledger.attribute.FxRates.parse(new StringReader(
        "date,from_currency,to_currency,rate,source\n2026-02-27,USD,EUR,0.9,ecb\n2026-03-03,USD,EUR,0.95,ecb\n"), "fx.csv");
    // 8 × 2700 s × 2.85 / 3600 = 17.10 USD at the 02-27 rate (the latest not after 03-02): 15.39 EUR
    assertEquals(new BigDecimal("15.390000000000"),
        CostRecompute.marketConverted("lumen/48109", allocs, a -> "h100-sxm", prices, 0, rates, "EUR"));
    assertNull(CostRecompute.marketConverted("lumen/48109", allocs, a -> "h100-sxm", prices, 0, rates, "GBP"));
  }
}
