"""Demo people and videos: Indonesian creators who teach and small businesses that show their work."""

CREATORS = [
    (
        "bu_ratna_masak",
        "Bu Ratna Masak",
        "Resep rumahan yang gampang dan hemat. Dari dapur Surabaya 🍳",
        "creator",
    ),
    (
        "excel.bareng.dimas",
        "Dimas | Excel Bareng",
        "Tips Excel & Google Sheets biar kerjaan cepat beres.",
        "creator",
    ),
    (
        "batik_sekar_solo",
        "Batik Sekar Solo",
        "Batik tulis & cap asli Solo. Cerita di balik setiap motif.",
        "business",
    ),
    ("kopi_lereng", "Kopi Lereng Merapi", "Petani & roaster kopi kecil dari Sleman ☕", "business"),
    ("mathwithnadia", "Nadia Matematika", "Matematika itu seru kok. SMP–SMA.", "creator"),
    ("english.santai", "English Santai", "Belajar bahasa Inggris 1 menit sehari.", "creator"),
    ("sains.seru", "Sains Seru", "Eksperimen sains sederhana di rumah 🔬", "creator"),
    ("cuan.bijak", "Cuan Bijak", "Literasi keuangan untuk anak muda & UMKM.", "creator"),
    ("rajut_mungil", "Rajut Mungil", "Boneka rajut handmade dari Bandung 🧶", "business"),
    ("sambal_mbok_yem", "Sambal Mbok Yem", "Sambal botolan rumahan. Pedasnya bikin nagih!", "business"),
    ("kodingpemula", "Koding Pemula", "Belajar coding dari nol, pakai bahasa sehari-hari.", "creator"),
    ("sejarah.singkat", "Sejarah Singkat", "Sejarah Indonesia dalam 60 detik.", "creator"),
]

VIEWERS = [
    ("andi_pratama", "Andi Pratama"),
    ("sari.dewi", "Sari Dewi"),
    ("budi_santoso", "Budi Santoso"),
    ("putri.ayu", "Putri Ayu"),
    ("rizky_f", "Rizky Fadillah"),
    ("maya.lestari", "Maya Lestari"),
    ("yoga_pm", "Yoga Permana"),
    ("intan.n", "Intan Nuraini"),
]

VIDEOS = [
    (
        "bu_ratna_masak",
        "Sambal matah 5 menit, seger banget! 🌶️ #Masak #ResepRumahan #SamaSamaBelajar",
        "Sambal Matah",
    ),
    (
        "bu_ratna_masak",
        "Nasi goreng kampung ala warung, rahasianya di bawang #Masak #ResepHemat",
        "Nasi Goreng",
    ),
    ("bu_ratna_masak", "Tips tempe goreng tetap renyah sampai sore #TipsDapur #Masak", "Tempe Renyah"),
    (
        "excel.bareng.dimas",
        "VLOOKUP dalam 30 detik. Simpan biar nggak lupa! #BelajarExcel #SamaSamaBelajar",
        "VLOOKUP",
    ),
    (
        "excel.bareng.dimas",
        "Bikin laporan stok toko otomatis pakai Pivot Table #BelajarExcel #UMKM",
        "Pivot Table",
    ),
    ("excel.bareng.dimas", "Shortcut Excel yang jarang orang tahu #BelajarExcel #TipsKerja", "Shortcut"),
    ("batik_sekar_solo", "Proses mencanting batik tulis motif Parang #Batik #UMKM #KaryaLokal", "Mencanting"),
    (
        "batik_sekar_solo",
        "Beda batik tulis, cap, dan printing. Jangan sampai salah beli! #Batik #EdukasiBatik",
        "Tulis vs Cap",
    ),
    ("batik_sekar_solo", "Koleksi baru: kemeja batik Sekar, mulai Rp185.000 #Batik #UMKM", "Koleksi Baru"),
    (
        "kopi_lereng",
        "Dari ceri ke cangkir: panen kopi di lereng Merapi #Kopi #UMKM #PetaniMuda",
        "Panen Kopi",
    ),
    ("kopi_lereng", "Cara seduh V60 di rumah tanpa alat mahal #Kopi #SamaSamaBelajar", "Seduh V60"),
    ("kopi_lereng", "Roasting light vs dark, rasanya beda jauh #Kopi #BelajarKopi", "Roasting"),
    ("mathwithnadia", "Trik cepat perkalian 11 #Matematika #SamaSamaBelajar", "Kali 11"),
    ("mathwithnadia", "Pecahan itu gampang kalau pakai pizza 🍕 #Matematika #BelajarSeru", "Pecahan"),
    ("mathwithnadia", "Persamaan kuadrat dalam 1 menit #Matematika #UTBK", "Kuadrat"),
    ("english.santai", "Bedanya 'borrow' dan 'lend' #BelajarBahasaInggris #SamaSamaBelajar", "Borrow/Lend"),
    ("english.santai", "5 kalimat buat interview kerja #BelajarBahasaInggris #Karier", "Interview"),
    ("english.santai", "Pronunciation: 'comfortable' yang benar #BelajarBahasaInggris", "Pronunciation"),
    ("sains.seru", "Kenapa langit biru? Eksperimen pakai senter #Sains #SamaSamaBelajar", "Langit Biru"),
    ("sains.seru", "Gunung meletus mini dari soda kue #Sains #EksperimenRumah", "Gunung Mini"),
    ("sains.seru", "Telur mengapung di air garam, kok bisa? #Sains #BelajarSeru", "Telur Apung"),
    ("cuan.bijak", "Aturan 50/30/20 buat gaji pertama #KeuanganPribadi #SamaSamaBelajar", "50/30/20"),
    ("cuan.bijak", "Pisahkan uang usaha dan uang pribadi! #UMKM #KeuanganPribadi", "Uang Usaha"),
    ("cuan.bijak", "Dana darurat: berapa yang cukup? #KeuanganPribadi", "Dana Darurat"),
    ("rajut_mungil", "Bikin boneka rajut kucing, part 1 #Rajut #Handmade #UMKM", "Rajut Kucing"),
    ("rajut_mungil", "Packing pesanan hari ini, terima kasih yang sudah order! #UMKM #Handmade", "Packing"),
    ("rajut_mungil", "Teknik magic ring untuk pemula #Rajut #SamaSamaBelajar", "Magic Ring"),
    ("sambal_mbok_yem", "Bikin sambal bawang 10 kg sehari, begini dapurnya #UMKM #Sambal", "Dapur Sambal"),
    ("sambal_mbok_yem", "Tips kemasan sambal biar awet tanpa pengawet #UMKM #TipsUsaha", "Kemasan"),
    ("sambal_mbok_yem", "Level pedas 1 sampai 5, kamu kuat yang mana? #Sambal #Kuliner", "Level Pedas"),
    ("kodingpemula", "Apa itu variabel? Penjelasan pakai toples #BelajarKoding #SamaSamaBelajar", "Variabel"),
    ("kodingpemula", "Bikin website pertamamu dalam 60 detik #BelajarKoding #HTML", "Website"),
    ("kodingpemula", "Looping itu seperti cuci piring #BelajarKoding", "Looping"),
    ("sejarah.singkat", "Sumpah Pemuda 1928 dalam 1 menit #Sejarah #SamaSamaBelajar", "Sumpah Pemuda"),
    ("sejarah.singkat", "Kenapa ibu kota pernah pindah ke Yogyakarta? #Sejarah", "Ibu Kota"),
    ("sejarah.singkat", "Kerajaan Majapahit: fakta singkat #Sejarah #BelajarSeru", "Majapahit"),
    ("bu_ratna_masak", "Es teh manis ala angkringan, takarannya pas #Masak #Minuman", "Es Teh"),
    ("excel.bareng.dimas", "Rumus IF bertingkat tanpa pusing #BelajarExcel", "Rumus IF"),
    ("batik_sekar_solo", "Arti motif Kawung yang jarang diketahui #Batik #Budaya", "Motif Kawung"),
    ("kopi_lereng", "Kopi tubruk vs kopi saring #Kopi #Budaya", "Tubruk"),
]

COMMENTS = [
    "Makasih ilmunya, kak! 🙏",
    "Wah baru tahu, langsung praktik ah",
    "Mantap, jelas banget penjelasannya",
    "Kak, boleh bikin part 2?",
    "Ini yang aku cari dari kemarin",
    "Keren! Simpan dulu biar nggak lupa",
    "Bisa kirim ke Makassar nggak kak?",
    "Auto follow 🔥",
    "Sederhana tapi ngena",
    "Semangat terus UMKM lokal!",
]
REPLIES = [
    "Sama-sama! 😊",
    "Siap, ditunggu ya part 2-nya",
    "Bisa kak, cek profil ya",
    "Terima kasih sudah nonton!",
]

# Gender and province of the demo people (both optional on Kilas; a few leave them empty), so the
# audience statistics have something to show.
PROFILES: dict[str, tuple[str | None, str | None]] = {
    "bu_ratna_masak": ("female", "Jawa Timur"),
    "excel.bareng.dimas": ("male", "DKI Jakarta"),
    "batik_sekar_solo": ("female", "Jawa Tengah"),
    "kopi_lereng": ("male", "DI Yogyakarta"),
    "mathwithnadia": ("female", "Jawa Barat"),
    "english.santai": (None, "Bali"),
    "sains.seru": ("male", "Sumatera Utara"),
    "cuan.bijak": ("male", "Banten"),
    "rajut_mungil": ("female", "Jawa Barat"),
    "sambal_mbok_yem": ("female", "Jawa Tengah"),
    "kodingpemula": ("male", "Sulawesi Selatan"),
    "sejarah.singkat": (None, None),
    "andi_pratama": ("male", "DKI Jakarta"),
    "sari.dewi": ("female", "Jawa Timur"),
    "budi_santoso": ("male", "Jawa Tengah"),
    "putri.ayu": ("female", "Bali"),
    "rizky_f": ("male", "Sumatera Barat"),
    "maya.lestari": ("female", "Kalimantan Timur"),
    "yoga_pm": (None, "DI Yogyakarta"),
    "intan.n": ("female", None),
}

# The demo's operator account, who can open the Kilas dashboard (/admin/analytics).
OPERATOR = ("tim_kilas", "Tim Kilas")
