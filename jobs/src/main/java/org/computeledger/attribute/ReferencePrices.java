package org.computeledger.attribute;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.csv.CSVRecord;
import org.computeledger.common.LedgerException;
import org.computeledger.estimate.GpuModels;

/**
 * The built-in reference price list ({@code catalog/reference_prices.csv}): public on-demand list
 * prices per GPU-hour by provider, each with the page it was read from and the date it was read. It
 * stands in for {@code prices.csv} when the input has none, so that market cost is still given, and
 * every price it gives is labelled as a reference list price in the line item's {@code price_source}.
 *
 * <p>A model listed by several providers is priced at the lowest listed offer (the cheapest public
 * on-demand way to rent that GPU). The date is when the price was read, not when it started, so a
 * reference price is applied to allocations of any date; the label carries the date it was listed.
 */
public final class ReferencePrices {
  public static final String RESOURCE = "/catalog/reference_prices.csv";
  static final String[] COLUMNS =
      {"gpu_model", "provider", "offer", "price_per_gpu_hour", "currency", "effective_date", "source", "notes"};
  /** The label every reference price's source starts with, so a reader of the line items can tell it from prices.csv. */
  public static final String LABEL = "reference list price (no prices.csv)";
  /** Applied from this date on: the list's dates say when a price was read, not from when it holds. */
  private static final LocalDate APPLIES_FROM = LocalDate.of(1970, 1, 1);

  /** One listed offer; {@code listedOn} is the date the price was read from {@code source}. */
  public record Offer(String gpuModel, String provider, String offer, BigDecimal pricePerGpuHour, String currency,
      LocalDate listedOn, String source, String notes, long line) {}

  private final List<Offer> offers;

  private ReferencePrices(List<Offer> offers) {
    this.offers = List.copyOf(offers);
  }

  /** The list shipped on the class path; fails loudly if it is missing or invalid. */
  public static ReferencePrices load() {
    try (InputStream in = ReferencePrices.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("reference price list " + RESOURCE + " is missing from the class path");
      }
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "reference_prices.csv");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** Reads and validates list text; every problem is one line naming {@code name}, the line and the field. */
  public static ReferencePrices parse(Reader text, String name) throws IOException {
    return SideCsv.read(text, name, "reference price", (parser, header) -> {
      for (String column : COLUMNS) {
        if (!SideCsv.has(header, column)) {
          throw new LedgerException(name + " line 1: header has no column " + column + " (expected "
              + String.join(",", COLUMNS) + ")");
        }
      }
      List<Offer> offers = new ArrayList<>();
      for (CSVRecord record : parser) {
        offers.add(offer(record, name, parser.getCurrentLineNumber()));
      }
      return new ReferencePrices(offers);
    });
  }

  private static Offer offer(CSVRecord r, String name, long line) {
    String model = SideCsv.required(r, "gpu_model", name, line).toLowerCase(Locale.ROOT);
    if (!GpuModels.IDS.contains(model) && !GpuModels.UNPRICED_IDS.contains(model)) {
      throw SideCsv.bad(name, line, "gpu_model", "a catalog model id like h100-sxm", model);
    }
    String provider = SideCsv.required(r, "provider", name, line);
    String offer = SideCsv.required(r, "offer", name, line);
    String priceText = SideCsv.required(r, "price_per_gpu_hour", name, line);
    BigDecimal price;
    try {
      price = new BigDecimal(priceText);
    } catch (NumberFormatException e) {
      throw SideCsv.bad(name, line, "price_per_gpu_hour", "a decimal number", priceText);
    }
    if (price.signum() <= 0) {
      throw SideCsv.bad(name, line, "price_per_gpu_hour", "a price above zero", priceText);
    }
    String currency = SideCsv.required(r, "currency", name, line).toUpperCase(Locale.ROOT);
    if (!currency.matches("[A-Z]{3}")) {
      throw SideCsv.bad(name, line, "currency", "a three-letter ISO 4217 code like USD", currency);
    }
    String dateText = SideCsv.required(r, "effective_date", name, line);
    LocalDate listed;
    try {
      listed = LocalDate.parse(dateText);
    } catch (DateTimeParseException e) {
      throw SideCsv.bad(name, line, "effective_date", "a date YYYY-MM-DD", dateText);
    }
    String source = SideCsv.required(r, "source", name, line);
    String notes = r.isSet("notes") ? r.get("notes") : "";
    return new Offer(model, provider, offer, price, currency, listed, source, notes, line);
  }

  /** Every listed offer, in file order. */
  public List<Offer> offers() {
    return offers;
  }

  /** The price market cost uses for this model: its lowest listed offer, labelled; empty when none is listed. */
  public Optional<MarketPrices.Price> marketPrice(String gpuModel) {
    return offers.stream()
        .filter(o -> o.gpuModel().equals(gpuModel))
        .min(Comparator.comparing(Offer::pricePerGpuHour).thenComparing(Offer::line))
        .map(ReferencePrices::asPrice);
  }

  /** One price per listed model, in the shape {@link MarketPrices#toDataset} takes. */
  public List<MarketPrices.Price> marketPrices() {
    Map<String, Boolean> models = new TreeMap<>();
    offers.forEach(o -> models.put(o.gpuModel(), true));
    List<MarketPrices.Price> prices = new ArrayList<>();
    for (String m : models.keySet()) {
      marketPrice(m).ifPresent(prices::add);
    }
    return prices;
  }

  private static MarketPrices.Price asPrice(Offer o) {
    String label = LABEL + ": " + o.provider() + ", " + o.offer() + ", listed " + o.listedOn() + ", " + o.source();
    return new MarketPrices.Price(o.gpuModel(), o.pricePerGpuHour().setScale(12), o.currency(), APPLIES_FROM, label,
        o.line());
  }
}
