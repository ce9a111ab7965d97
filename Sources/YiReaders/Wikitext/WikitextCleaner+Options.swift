extension WikitextCleaner {
    /// Which link prefixes mark media, category and interlanguage links, whose `[[...]]` is
    /// dropped whole. Names are matched case-insensitively, with `_` and ` ` equivalent.
    /// The defaults cover English, Chinese, Vietnamese and the largest Wikipedias; a dump reader
    /// should add the names its `<siteinfo><namespaces>` declares for keys 6 (File) and 14
    /// (Category) with `adding(fileNamespaces:categoryNamespaces:)`.
    public struct Options: Sendable {
        public var fileNamespaces: Set<String>
        public var categoryNamespaces: Set<String>
        /// Interwiki prefixes of other-language editions (`[[fr:Paris]]`): links in the sidebar,
        /// not text.
        public var interlanguagePrefixes: Set<String>
        /// For `-{zh-hans:…;zh-hant:…}-` language-conversion markup: the variants to show, in
        /// order of preference; when none is present the first one written wins.
        public var preferredVariants: [String]

        public init(fileNamespaces: Set<String> = Options.defaultFileNamespaces,
                    categoryNamespaces: Set<String> = Options.defaultCategoryNamespaces,
                    interlanguagePrefixes: Set<String> = Options.defaultInterlanguagePrefixes,
                    preferredVariants: [String] = ["zh-hans", "zh-cn", "zh", "zh-sg", "zh-my"]) {
            self.fileNamespaces = Set(fileNamespaces.map(Options.normalizedName))
            self.categoryNamespaces = Set(categoryNamespaces.map(Options.normalizedName))
            self.interlanguagePrefixes = Set(interlanguagePrefixes.map(Options.normalizedName))
            self.preferredVariants = preferredVariants.map(Options.normalizedName)
        }

        /// These options plus a wiki's own (localized) namespace names.
        public func adding(fileNamespaces files: [String] = [], categoryNamespaces categories: [String] = []) -> Options {
            var copy = self
            copy.fileNamespaces.formUnion(files.map(Options.normalizedName))
            copy.categoryNamespaces.formUnion(categories.map(Options.normalizedName))
            return copy
        }

        /// Lower-cased, `_` as space, surrounding and repeated spaces removed: how prefixes compare.
        static func normalizedName(_ name: String) -> String {
            name.lowercased().split(whereSeparator: { $0 == " " || $0 == "_" || $0 == "\t" })
                .joined(separator: " ")
        }

        /// `normalizedName` of ASCII bytes without going through `Character`s: the common case
        /// (`File`, `Category`, `en`) on the hot path of every link with a colon. Nil for non-ASCII.
        static func normalizedASCIIName(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
            var length = 0
            var pendingSpace = false
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                if byte == WikitextByte.space || byte == WikitextByte.underscore || byte == WikitextByte.tab {
                    pendingSpace = length > 0
                } else {
                    length += pendingSpace ? 2 : 1
                    pendingSpace = false
                }
            }
            return String(unsafeUninitializedCapacity: length) { buffer in
                var count = 0
                pendingSpace = false
                for byte in bytes {
                    if byte == WikitextByte.space || byte == WikitextByte.underscore || byte == WikitextByte.tab {
                        pendingSpace = count > 0
                        continue
                    }
                    if pendingSpace {
                        buffer[count] = WikitextByte.space
                        count += 1
                        pendingSpace = false
                    }
                    buffer[count] = WikitextByte.lowercased(byte)
                    count += 1
                }
                return count
            }
        }

        public static let defaultFileNamespaces: Set<String> = [
            "file", "image",
            // zh, vi, fo
            "文件", "檔案", "档案", "图像", "圖像", "图片", "圖片", "tập tin", "hình", "tệp", "tệp tin", "mynd",
            // de fr es it pt nl sv no da fi pl cs hu ro tr id ms ca
            "datei", "bild", "fichier", "archivo", "imagen", "immagine", "ficheiro", "arquivo", "imagem",
            "bestand", "afbeelding", "fil", "bilde", "billede", "tiedosto", "kuva", "plik", "grafika",
            "soubor", "obrázek", "fájl", "kép", "fișier", "imagine", "dosya", "resim", "berkas", "gambar",
            "fail", "imej", "fitxer", "imatge",
            // ru uk bg sr el ar fa he hi th ja ko
            "файл", "изображение", "зображення", "картинка", "датотека", "слика", "αρχείο", "εικόνα",
            "ملف", "صورة", "پرونده", "تصویر", "קובץ", "תמונה", "चित्र", "फ़ाइल", "ไฟล์", "ภาพ",
            "ファイル", "画像", "파일", "그림",
        ]

        public static let defaultCategoryNamespaces: Set<String> = [
            "category",
            "分类", "分類", "thể loại", "bólkur",
            "kategorie", "catégorie", "categoría", "categoria", "categorie", "kategori", "luokka",
            "kategoria", "kategória", "kategorija",
            "категория", "категорія", "категорија", "κατηγορία", "تصنيف", "رده", "קטגוריה", "श्रेणी",
            "หมวดหมู่", "カテゴリ", "분류",
        ]

        /// Language editions of Wikipedia (their interwiki prefixes), including historical and
        /// alias codes still found in old dumps.
        public static let defaultInterlanguagePrefixes: Set<String> = Set("""
            aa ab ace ady af ak als alt am ami an ang ann anp ar arc ary arz as ast atj av avk awa ay az
            azb ba ban bar bat-smg bbc bcl bdr be be-tarask be-x-old bew bg bh bi bjn blk bm bn bo bpy br
            bs btm bug bxr ca cbk-zam cdo ce ceb ch cho chr chy ckb co cr crh cs csb cu cv cy da dag de
            dga din diq dk dsb dtp dty dv dz ee el eml en eo es et eu ext fa fat ff fi fiu-vro fj fo fon
            fr frp frr fur fy ga gag gan gcr gd gl glk gn gom gor got gpe gsw gu guc gur guw gv ha hak
            haw he hi hif ho hr hsb ht hu hy hyw hz ia iba id ie ig igl ii ik ilo inh io is it iu ja jam
            jbo jv ka kaa kab kbd kbp kcg kg kge ki kj kk kl km kn knc ko koi kr krc ks ksh ku kus kv kw
            ky la lad lb lbe lez lfn lg li lij lld lmo ln lo lrc lt ltg lv lzh mad mai map-bms mdf mg mh
            mhr mi min mk ml mn mni mnw mo mos mr mrj ms mt mus mwl my myv mzn na nah nan nap nb nds
            nds-nl ne new ng nia nl nn no nov nqo nr nrm nso nv ny nys oc olo om or os pa pag pam pap pcd
            pcm pdc pfl pi pih pl pms pnb pnt ps pt pwn qu rm rmy rn ro roa-rup roa-tara rsk ru rue rup
            rw sa sah sat sc scn sco sd se sg sgs sh shi shn si simple sk skr sl sm smn sn so sq sr srn
            ss st stq su sv sw szl szy ta tay tcy tdd te tet tg th ti tk tl tly tn to tok tpi tr trv ts
            tt tum tw ty tyv udm ug uk ur uz ve vec vep vi vls vo vro wa war wo wuu xal xh xmf yi yo yue
            za zea zgh zh zh-classical zh-cn zh-min-nan zh-tw zh-yue zu
            """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }
}
