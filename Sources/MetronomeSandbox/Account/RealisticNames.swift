/// Customer names of the realistic account: plausible, distinct company names, some of them in
/// other scripts and languages, as a real customer list has.
enum RealisticNames {
    static let listed = [
        "Northwind Traders", "Contoso Pharmaceuticals", "Fabrikam Robotics", "Blue Yonder Airlines", "Tailspin Toys",
        "Wide World Importers", "Adventure Works Cycles", "Litware Analytics", "Proseware Health", "Coho Vineyard",
        "Alpine Ski House", "Fourth Coffee", "Müller & Söhne GmbH", "Lucerne Publishing", "Trey Research",
        "Woodgrove Bank", "Humongous Insurance", "Wingtip Toys", "Lumière Énergie SA", "Relecloud",
        "VanArsdel Ltd", "Datum Corporation", "Consolidated Messenger", "Southridge Video", "株式会社さくらデータ",
        "Nod Publishers", "São Paulo Logística", "Margie's Travel", "Fjordlys ApS", "Bellows College",
    ]
    static let prefixes = [
        "Apex", "Bright", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper", "Kestrel",
        "Lumen", "Maple", "Nimbus", "Orbit", "Pine", "Quartz", "Raven", "Summit", "Tidal",
    ]
    static let suffixes = [
        "Analytics", "Labs", "Systems", "Health", "Logistics", "Media", "Software", "Energy", "Retail", "Robotics",
        "Capital", "Foods", "Games", "Bio", "Networks",
    ]

    /// The name of the customer at `index`: distinct for every index.
    static func name(_ index: Int) -> String {
        if index < listed.count { return listed[index] }
        let rest = index - listed.count
        let combinations = prefixes.count * suffixes.count
        let name = "\(prefixes[rest % prefixes.count]) \(suffixes[(rest / prefixes.count) % suffixes.count])"
        return rest < combinations ? name : "\(name) \(rest / combinations + 1)"
    }
}
