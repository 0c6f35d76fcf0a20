import Foundation
import PropertyBased
import Testing

@testable import Postgres

/// Amounts travel to `numeric` as text; the fast writer must give exactly `description`'s text.
@Suite("Decimal text", .timeLimit(.minutes(5)))
struct DecimalTextTests {
    @Test func theFastTextIsTheDescriptionForEveryMantissaAndExponent() async {
        await propertyCheck(
            count: 5_000, input: Gen.int(in: 0...9).array(of: 1...38), Gen.int(in: -60...12), Gen.bool
        ) { digits, exponent, negative in
            let text = (negative ? "-" : "") + digits.map(String.init).joined() + "e\(exponent)"
            guard let value = Decimal(string: text, locale: nil), !value.isNaN else { return }
            #expect(PlainDecimalText.text(of: value) == value.description, "\(text)")
        }
    }

    @Test(arguments: [
        "0", "-0", "0.000", "1", "-1", "10", "100e-2", "1.50", "-12.340", "0.0015", "1e3", "123456789012345678",
        "18446744073709551615", "18446744073709551616", "-18446744073709551615.5", "0.00000000000000000000000000000000000000000001",
        "99999999999999999999999999999999999999", "9007199254740993", "1e-60", "12345678901234567890e-25",
    ])
    func edgeCases(_ text: String) throws {
        let value = try #require(Decimal(string: text, locale: nil))
        #expect(PlainDecimalText.text(of: value) == value.description)
        #expect(value.postgresText == value.description)
    }

    @Test func notANumberIsWrittenAsPostgresWritesIt() {
        #expect(Decimal.nan.postgresText == "NaN")
    }
}
