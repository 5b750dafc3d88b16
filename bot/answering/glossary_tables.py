"""The glossaries' tables: for each language, one topic of the statement a line, `key=English` pairs
separated by `;` (the key kinds are described in `glossary.py`). Our own word lists, not a translator's."""

from __future__ import annotations

TABLES: dict[str, str] = {
    "fi": """
    =kuka=who; =ketkä=who; kenelle=who; keneen=who; kenen=who; =mitä=what; =mikä=what; =mitkä=what; millai=what
        kind; =miten=how; =kuinka=how; =miksi=why; =missä=where; =mihin=where for what; =mistä=where from source;
        =milloin=when; =mille=what; =millä=what; =voinko=can I; =voin=can I; =voiko=can; =saako=can I; =onko=is;
        haluan=I want; =haluaisin=I would like; =saanko=can I get; =kauan=how long; =kauanko=how long; paljon=how
        much; hinta=cost fee; hinna=cost fee; =pitkään=how long; kuinka kauan=how long; kuinka pitkään=how long;
    rekisterinpit=controller; rekisterinpitäjä=controller; vastaa=responsible controller; vastuu=responsible
        controller; yhtey=contact; ota yhteyttä=contact; tavoit=contact reach; osoit=address; postiosoit=postal
        address; katuosoit=street address; käyntiosoit=address; -osoite=address; pääkonttor=street address;
        konttor=office; puhelin=phone; -puhelin=phone; -numero=number; numero=number; soit=call phone;
    henkilötie=personal data; -tieto=data; -tiedo=data; tieto=data; tiedo=data; tietosuoj=privacy data protection;
        -suoja=protection; seloste=privacy statement; -seloste=statement; nime=name; =nimi=name; nimik=title;
        titte=title; ammattinimik=job title; sähköpost=e-mail address; -sähköpost=e-mail address; matkapuhel=mobile
        phone; kännyk=mobile phone; käyttäjätunn=user ID; -tunnu=ID; tili=account; käyttäjätil=user account;
        yritys=company; yhtiö=company; asiakas=customer; ajankoh=time date; aika=time; päivämäär=date;
        analytiik=analytics; -analytiik=analytics; tilasto=analytics;
    kerää=collect; keräät=collect; kerät=collect; tallen=store; rekisteröi=collect store; käsit=process; käyt=use;
        käytö=use usage; käyttö=use usage; käytät=use; hyödyn=use; portaal=portal; portaali=portal;
        järjestelm=system; asiakkuudenhallin=CRM customer relationship management;
    tarkoitu=purpose; -tarkoitu=purpose; peruste=basis; perusteel=basis; oikeusperust=legal basis; oikeutettu=
        legitimate interest; oikeutetu=legitimate interest; intressi=interest; markkinoin=marketing;
        -markkinoin=marketing; suoramarkkinoin=direct marketing; mainon=advertising marketing; mainos=advertising
        marketing; asiakassuhte=customer relationship; asiakassuhd=customer relationship; -suhte=relationship;
        -suhde=relationship; laskut=invoicing; myyn=sales;
    säilyt=keep retention; -säilyty=retention; säilytysaika=retention period; kauan=how long; mistä saat=where from
        source; lähde=source; lähtee=source; saat=get; saa=get; poist=delete; poisto=delete; anonym= anonymous;
        anonymis=anonymous; nimettöm=anonymous; päätty=end; loput=end; jälkeen=after; lopet=end stop; -aika=period;
        ajanjakso=period;
    eväst=cookies; -eväst=cookies; selai=browser; -selai=browser; esto=disable; estä=disable block; poista
        käytöstä=disable; kytke=disable; hallin=manage; välttämät=necessary; suostum=consent; -suostum=consent;
        hyväksy=consent accept; kysy=ask request; kohdenn=targeting;
    siirr=transfer; siirto=transfer; -siirro=transfer; -siirto=transfer; ulkopuol=outside; =eu=eu; =eta=eea;
        eta-alue=eea; euroop=europe eu; =maihin=countries; suoja=protection safeguards; suojat=safeguards protect;
        varmist=ensure;
    oikeu=rights; oikeuks=rights; vastust=object; kiell=object refuse; kielt=object refuse; perustu=based on basis;
        korja=correct; oikais=correct; virheel=wrong incorrect correct; väärin=wrong incorrect correct;
        valitu=complaint; valitt=complaint; kantel=complaint; viranomai=authority; -viranomai=authority;
        tietosuojavaltuute=data protection authority; valvo=authority; peru=withdraw revoke; peruu=withdraw revoke;
        peruut=withdraw revoke; maksu=fee; maksa=fee cost; peri=fee charge; pyyn=request; pyyntö=request;
        pyynnö=request; kopio=copy; pääsy=access;
    koske=apply; sovelle=apply; ihmise=person; henkilö=person; ihmin=person; puhu=talk to; jaa=share; jakaa=share;
        myy=sell; =tila=status; kiitos=thanks; kiitti=thanks;
    teette=do; teke=do; tehdä=do; pääsy=access; luovut=share disclose; osapuol=parties share; kolmans=third;
        kolmansiin maihin=third countries outside eu; kolmansissa maissa=third countries outside eu; hylk=refuse
        reject; hylät=refuse reject; sulke=close; sulje=close; näh=see; näe=see; tapahtu=happens; ilman=without;
        tarvit=need to; pitää=need to; anta=give; lähett=send; millä oikeudella=legal basis; =suhteen=about;
        yhdysval=usa outside eu; =usa=usa outside eu; intia=india outside eu; kiina=china outside eu; =teillä=you
        have;
    kysely=surveys; -kysely=surveys; lasku=invoicing; sopimu=contract obligations; asiakaspalvel=customer service;
        vika=defects; viko=defects; virhe=defects error; laite=device; laitte=device; sovellu=app; hissi=elevator
        equipment; laki=laws; lain=laws; lak=laws; lainsäädän=laws legislation; velvoll=obligation;
        velvoit=obligation; alihankki=subcontractors; konserni=KONE companies; istun=session; kohdenn=targeting;
        käyn=visits; asetuk=settings preferences; asetus=settings preferences; banneri=cookie banner;
        edustaja=representative; työnantaj=employer customer; toisen henkilön=another person; lupa=permission;
        luva=permission; tarjou=tender; tarjoukse=tender; tunnist=identify; perusteeton=unfounded;
        kohtuut=excessive; pakko=need to; pitääkö=need to; palvelu=services;
    =te=you; =teidän=your; =minun=my; =minä=I; =minulla=I have; =minusta=about me; =minulle=me;
    =en=not; =et=not; =ei=not; =emme=not; =ette=not; enää=no longer; =jos=if; laillis=lawful legal basis;
        lainmukai=lawful legal basis; tyytymät=unhappy concerns; huole=concerns; sivusto=website;
        verkkosivu=website; nettisivu=website; tyyppi=types; tyypi=types; luovute=share disclose;
    kone=kone; kirjaudu=log in use; kirjautu=log in use; =luotiin=created; luodaan=created; =luotu=created;
        luoda=created; seura=monitor track analytics; aktiivisuu=activity use; toimin=activity use;
        soveltamisal=scope apply;
    """,
    "sv": """
    =vem=who; =vilka=what; =vilken=what; =vilket=what; =vad=what; =hur=how; =varför=why; =var=where; =vart=where;
        varifrån=where from source; =när=when; =kan=can; =får=can get; kan jag=can I; =vill=I want; hur länge=how
        long; hur mycket=how much; =länge=how long;
    personuppgiftsansvarig=controller; ansvar=responsible controller; -ansvarig=controller; kontakt=contact;
        -kontakt=contact; =nå=contact reach; adress=address; -adress=address; postadress=postal address;
        huvudkontor=street address; kontor=office; telefon=phone; -telefon=phone; -nummer=number; ring=call phone;
    personuppgift=personal data; -uppgift=data; uppgift=data; data=data; dataskydd=data protection;
        integritet=privacy; -policy=statement; namn=name; titel=title; befattning=title; epost=e-mail address;
        epost=e-mail address; mejl=e-mail address; mobil=mobile phone; användar=user; konto=account;
        företag=company; kund=customer; tidpunkt=time date; datum=date; analys=analytics;
    samla=collect; registrer=collect store; lagra=store; spara=keep store; behandl=process; använd=use; nyttj=use;
        portal=portal; system=system;
    syfte=purpose; -syfte=purpose; ändamål=purpose; rättslig=legal basis; laglig=legal basis; grund=basis;
        berättigat=legitimate interest; intresse=interest; marknadsför=marketing; -marknadsför=marketing;
        direktmarknadsför=direct marketing; reklam=advertising marketing; kundrelation=customer relationship;
        -relation=relationship; kundförhållande=customer relationship; fakturer=invoicing;
    länge=how long; lagringstid=retention period; -tid=period; källa=source; källor=source; =från=from;
        radera=delete; raderas=delete; ta bort=delete; tas bort=delete; -radera=delete; anonymi=anonymous;
        upphör=end; slut=end; efter=after;
    kak=cookies; -kako=cookies; -kaka=cookies; cookie=cookies; webbläsar=browser; stänga av=disable; stäng
        av=disable; inaktiv=disable; blocker=disable block; hantera=manage; nödvändig=necessary; samtyck=consent;
        -samtyck=consent; godkän=consent accept;
    överför=transfer; -överför=transfer; utanför=outside; =eu=eu; =ees=eea; europa=europe eu; tredje land=third
        countries outside eu; tredjeland=third countries outside eu; länder=countries; skydd=protection safeguards;
        -skydd=protection; skyddas=safeguards protect; säkerställ=ensure;
    rättighet=rights; rätt=right; invänd=object; motsätt=object; rätta=correct; korriger=correct; felaktig=wrong
        incorrect correct; fel=wrong correct; klag=complaint; klagomål=complaint; anmäl=complaint;
        myndighet=authority; -myndighet=authority; tillsyn=authority; återkalla=withdraw revoke; dra tillbaka=
        withdraw; avgift=fee; kosta=fee cost; kostnad=fee cost; vägra=refuse; neka=refuse; begär=request;
        förfrågan=request; kopia=copy; tillgång=access;
    gäller=apply; gälla=apply; omfatta=apply; person=person; människa=person; människ=person; prata=talk to;
        tala=talk to; dela=share; sälj=sell; status=status; tack=thanks; sluta=stop; skicka=send;
    =gör=do; tillgång=access; tredje part=third parties share; =tredje=third; neka=refuse; stäng=close;
        stängs=close; =se=see; =veta=know; händer=happens; =utan=without; behöv=need to; måste=need to; =ge=give;
        skicka=send; vänd=contact; =har=have; =usa=usa outside eu; indien=india outside eu; kina=china outside eu;
    enkät=surveys; -enkät=surveys; faktura=invoicing; avtal=contract obligations; kundtjänst=customer service;
        kundservice=customer service; enhet=device; app=app; hiss=elevator equipment; =lag=laws; lagen=laws;
        lagar=laws; -lagstiftning=laws legislation; lagstiftning=laws legislation; bryter mot=compliance laws;
        skyldig=obligation; skyldighet=obligation; underleverantör=subcontractors; koncern=KONE companies;
        session=session; riktad=targeting; besök=visits; inställning=settings preferences; banner=cookie banner;
        representant=representative; arbetsgivar=employer customer; annan person=another person;
        tillstånd=permission; anbud=tender; offert=tender; identifier=identify; ogrundad=unfounded;
        orimlig=excessive; tjänst=services;
    =ni=you; =er=your; =era=your; =ert=your; =min=my; =mitt=my; =mina=my; =jag=I; =mig=me;
    =inte=not; =ej=not; =längre=longer; lämna=provide; lämnas ut=share disclose; lämnar ut=share disclose;
        missnöjd=unhappy concerns; oro=concerns; webbplats=website; webbsida=website; hemsida=website; sort=types;
        typ=types;
    =kones=kone; =når=contact reach; logga in=log in use; loggar in=log in use; inloggning=log in use;
        skapa=created; spår=track monitor analytics; övervak=monitor track analytics; aktivitet=activity use;
        -konto=account; tillämp=apply;
    """,
    "de": """
    =wer=who; =wem=who; =wen=who; =was=what; =welche=what; =welcher=what; =welches=what; =welchen=what; =wie=how;
        =warum=why; =wozu=why purpose; =weshalb=why; =wo=where; =wohin=where; woher=where from source; =wann=when;
        =kann=can; kann ich=can I; =darf=can; möchte=I want; will=I want; wie lange=how long; wie viel=how much;
        wieviel=how much; =lange=how long; =lang=how long;
    verantwortlich=responsible controller; verantwortlicher=controller; -verantwortlich=controller; kontakt=
        contact; -kontakt=contact; erreich=contact reach; adress=address; -adress=address; anschrift=address;
        postanschrift=postal address; postadress=postal address; hauptsitz=street address; sitz=address office;
        büro=office; telefon=phone; -telefon=phone; -nummer=number; anruf=call phone; anrufen=call phone;
    personenbezogen=personal data; persönlich=personal; daten=data; -daten=data; datenschutz=data protection
        privacy; -schutz=protection; informationen=data; angaben=data; erklärung=statement; -erklärung=statement;
        namen=name; =name=name; titel=title; berufsbezeichnung=title; position=title; email=e-mail address;
        =mail=e-mail address; mobil=mobile phone; handy=mobile phone; benutzer=user; nutzerkennung=user ID;
        konto=account; firma=company; unternehmen=company; kunde=customer; zeitpunkt=time date; datum=date;
        analyse=analytics; -analyse=analytics; analytics=analytics;
    erheb=collect; erhob=collect; sammel=collect; erfass=collect; speicher=store; gespeichert=store;
        verarbeit=process; -verarbeit=process; nutz=use; -nutzung=use usage; genutzt=use; verwend=use; einsetz=use;
        =setzen=use; portal=portal; -portal=portal; system=system;
    zweck=purpose; -zweck=purpose; rechtsgrundlage=legal basis; -grundlage=basis; grundlage=basis; berechtigt=
        legitimate interest; interesse=interest; werbung=marketing; -werbung=marketing; direktwerbung=direct
        marketing; marketing=marketing; -marketing=marketing; kundenbeziehung=customer relationship;
        -beziehung=relationship; geschäftsbeziehung=customer relationship; rechnung=invoicing;
    aufbewahr=keep retention; -aufbewahr=retention; -frist=period; frist=period; dauer=how long; stamm=source;
        quelle=source; bekomm=get; erhalt=get; lösch=delete; -lösch=delete; gelöscht=delete; entfern=delete;
        anonym=anonymous; ende=end; endet=end; beend=end; =nach=after; vertragsende=end;
    cookie=cookies; -cookie=cookies; browser=browser; -browser=browser; deaktivier=disable; abschalt=disable;
        ausschalt=disable; blockier=disable block; verwalt=manage; notwendig=necessary; erforderlich=necessary;
        einwillig=consent; -einwillig=consent; zustimm=consent; zugestimmt=consent;
    übermittl=transfer; -übermittl=transfer; übertrag=transfer; -übertrag=transfer; übermittel=transfer;
        weitergeleitet=transfer; außerhalb=outside; =eu=eu; =ewr=eea; europa=europe eu; drittl=third countries
        outside eu; -länder=countries; ausland=outside abroad; garantie=safeguards ensure; schutzmaßnahm=
        safeguards; sicher=ensure;
    recht=rights; -recht=rights; widersprech=object; widerspruch=object; berichtig=correct; korrigier=correct;
        falsch=wrong incorrect correct; unrichtig=incorrect correct; beschwer=complaint; -beschwer=complaint;
        behörde=authority; -behörde=authority; aufsicht=authority; widerruf=withdraw revoke; gebühr=fee; kost=fee
        cost; entgelt=fee; ablehn=refuse; verweiger=refuse; antrag=request; anfrage=request; -anfrage=request;
        kopie=copy; auskunft=access copy;
    gilt=apply; gelten=apply; betrifft=apply; mensch=person; mitarbeiter=person; sprechen=talk to; weitergeb=share;
        verkauf=sell; status=status; danke=thanks; dank=thanks;
    machen=do; =macht=do; zugriff=access; zugang=access; dritte=third parties share; =weiter=share; schliess=close;
        gelöscht=delete; wissen=know; passiert=happens; =ohne=without; =muss=need to; brauch=need to; geben=give;
        =gib=give; schick=send; geschickt=send; wenden=contact; =hat=have; =habe=have; =haben=have; =usa=usa outside
        eu; indien=india outside eu; china=china outside eu; gültig=valid;
    umfrage=surveys; -umfrage=surveys; rechnung=invoicing; vertrag=contract obligations; -vertrag=contract;
        kundenservice=customer service; kundendienst=customer service; fehler=defects error; gerät=device;
        -gerät=device; =app=app; aufzug=elevator equipment; gesetz=laws; -gesetz=laws; verpflicht=obligation;
        pflicht=obligation; subunternehm=subcontractors; dienstleister=subcontractors; konzern=KONE companies;
        tochter=KONE companies subsidiaries; sitzung=session; gezielt=targeting; besuch=visits; einstellung=settings
        preferences; banner=cookie banner; vertreter=representative; arbeitgeber=employer customer; andere
        person=another person; erlaubnis=permission; angebot=tender; identifizier=identify; unbegründet=unfounded;
        exzessiv=excessive; übermäßig=excessive; dienst=services; leistung=services;
    =sie=you; =ihr=your; =ihre=your; =ihren=your; =ihrer=your; =mein=my; =meine=my; =meinen=my; =meiner=my;
        =meinem=my; =ich=I; =mich=me; =mir=me;
    =nicht=not; =kein=not; =keine=not; =keinen=not; =mehr=longer; =wenn=if; angeb=provide; bereitstell=provide;
        weitergeg=share; bewahr=keep retention; rechtmäss=lawful legal basis; rechtmäß=lawful legal basis;
        gesetzlich=lawful legal basis; legal=lawful legal basis; unzufrieden=unhappy concerns; bedenken=concerns;
        sorge=concerns; website=website; webseite=website; internetseite=website; =arten=types; typ=types;
    =kones=kone; login=log in use; anmeld=log in use; einlogg=log in use; angelegt=created; anleg=created;
        erstell=created; verfolg=track monitor analytics; überwach=monitor track analytics; aktivität=activity use;
        -konto=account; geltungsbereich=scope apply; bezieh=apply; worauf=what;
    """,
    "fr": """
    =qui=who; =quel=what; =quelle=what; =quels=what; =quelles=what; =quoi=what; =comment=how; =pourquoi=why;
        =où=where; d'où=where from source; =quand=when; puis-je=can I; =peux=can I; =pouvez=can; je veux=I want; je
        voudrais=I would like; =combien=how much; combien de temps=how long;
    responsable=responsible controller; contact=contact; joindre=contact reach; adresse=address; postale=postal
        address; siège=street address; bureau=office; téléphone=phone; numéro=number; appeler=call phone;
    données=data; information=data; personnel=personal; confidentialit=privacy; protection des données=data
        protection; déclaration=privacy statement; politique=statement; =nom=name; titre=title; fonction=title;
        poste=title; email=e-mail address; courriel=e-mail address; =mail=e-mail address; portable=mobile phone;
        mobile=mobile phone; identifiant=user ID; utilisateur=user; compte=account; entreprise=company;
        société=company; client=customer; date=date; heure=time; analytique=analytics; analyse=analytics;
        statistique=analytics;
    collect=collect; recueill=collect; enregistr=collect store; stock=store; trait=process; utilis=use; usage=use;
        servent=use; portail=portal; système=system;
    finalit=purpose; fins=purpose; =but=purpose; objectif=purpose; base légale=legal basis; base juridique=legal
        basis; fondement=legal basis; légitime=legitimate interest; intérêt=interest; prospection=marketing;
        marketing=marketing; publicit=advertising marketing; commercial=business; relation commerciale=customer
        relationship; relation client=customer relationship; relation=relationship; factur=invoicing fee;
    conserv=keep retention; gard=keep; durée=how long period; provien=source; source=source; obten=get; obtien=get;
        supprim=delete; effac=delete; anonym=anonymous; =fin=end; termin=end; après=after;
    cookie=cookies; témoin=cookies; traceur=cookies; navigateur=browser; désactiv=disable; bloqu=disable block;
        refuser=refuse disable; gér=manage; nécessaire=necessary; consentement=consent; consent=consent;
        accepte=consent accept;
    transf=transfer; =ue=eu; union européenne=eu; =eee=eea; europe=europe eu; hors=outside; dehors=outside;
        étranger=outside abroad; pays tiers=third countries outside eu; pays=countries; garantie=safeguards ensure;
        protég=protect safeguards; assur=ensure;
    droit=rights; oppos=object; corrig=correct; rectifi=correct; inexact=wrong incorrect correct; erroné=wrong
        incorrect correct; plainte=complaint; réclamation=complaint; autorit=authority; cnil=data protection
        authority; retir=withdraw; révoqu=withdraw revoke; frais=fee; payant=fee cost; coût=fee cost; gratuit=fee
        free; refus=refuse; demande=request; copie=copy; accès=access;
    applique=apply; concern=apply; couvr=apply; personne=person; humain=person; parler=talk to; partag=share;
        vend=sell; statut=status; =état=status; merci=thanks; recevoir=receive; arrête=stop;
    =faites=do; =fait=do; =faire=do; tiers=third parties share; partenaire=partners share; ferm=close; savoir=know;
        devien=happens; arrive=happens; =sans=without; dois=need to; faut=need to; donn=give; envo=send;
        adresser=contact; =avez=have; états-unis=usa outside eu; =inde=india outside eu; chine=china outside eu;
        =que=what;
    enquête=surveys; sondage=surveys; factur=invoicing fee; contrat=contract obligations; contractu=contract
        obligations; service client=customer service; défaut=defects; erreur=error defects; appareil=device;
        application=app; ascenseur=elevator equipment; =loi=laws; =lois=laws; législation=laws legislation;
        obligé=obligation; obligation=obligation; sous-traitant=subcontractors; filiale=KONE companies subsidiaries;
        =session=session; ciblage=targeting; ciblé=targeting; visite=visits; paramètre=settings preferences;
        réglage=settings preferences; bannière=cookie banner; représentant=representative; employeur=employer
        customer; autre personne=another person; permission=permission; autorisation=permission; offre=tender; appel
        d'offres=tender; identifi=identify; infondé=unfounded; excessi=excessive; services=services;
    =vous=you; =votre=your; =vos=your; =mon=my; =ma=my; =mes=my; =je=I; =moi=me;
    =pas=not; =plus=longer; =si=if; fournir=provide; communiqu=share disclose; détien=hold have; déten=hold have;
        légal=lawful legal basis; licite=lawful legal basis; plaindre=complaint; plains=complaint; satisfait=unhappy
        concerns; inquiét=concerns; =site=website; site web=website; =type=types; =types=types; besoin=need;
        =passe=happens;
    connexion=log in use; connecte=log in use; créé=created; création=created; =crée=created; suivi=track monitor
        analytics; surveill=monitor track analytics; activité=activity use; champ d'application=scope apply;
        =champ=scope;
    """,
    "es": """
    =quién=who; =quiénes=who; =qué=what; =cuál=what; =cuáles=what; =cómo=how; por qué=why; para qué=what purpose;
        =dónde=where; de dónde=where from source; =cuándo=when; =puedo=can I; =pueden=can; =puede=can; =quiero=I
        want; =quisiera=I would like; =cuánto=how much; =cuánta=how much; cuánto tiempo=how long;
    responsable=responsible controller; contact=contact; adress=address; dirección=address; direccion=address;
        postal=postal address; sede=street address; oficina=office; teléfono=phone; número=number; llamar=call
        phone;
    datos=data; información=data; personal=personal; privacidad=privacy; protección de datos=data protection;
        declaración=privacy statement; política=statement; nombre=name; cargo=title; puesto=title; título=title;
        correo=e-mail address; email=e-mail address; móvil=mobile phone; celular=mobile phone; usuario=user;
        cuenta=account; empresa=company; compañía=company; cliente=customer; fecha=date; hora=time;
        analític=analytics; estadístic=analytics;
    recog=collect; recopil=collect; registr=collect store; almacen=store; trat=process; utiliz=use; usa=use;
        =uso=use usage; emple=use; portal=portal; sistema=system;
    finalidad=purpose; fines=purpose; propósito=purpose; base legal=legal basis; base jurídica=legal basis;
        legitimación=legal basis; legítimo=legitimate interest; interés=interest; publicidad=advertising marketing;
        marketing=marketing; relación=relationship; relación comercial=customer relationship; comercial=business;
        factur=invoicing;
    conserv=keep retention; guard=keep; plazo=period; dura=how long; periodo=period; período=period; cuánt=how much;
        cuest=cost fee; proced=source; provien=source; origen=source; obtien=get; obten=get; obtien=get;
        borr=delete; elimin=delete; supr=delete; anonim=anonymous; termin=end; =fin=end; despué=after; tras=after;
    cookie=cookies; navegador=browser; desactiv=disable; bloque=disable block; rechaz=refuse; gestion=manage;
        necesari=necessary; consentimiento=consent; consent=consent; acept=consent accept;
    transfer=transfer; transfi=transfer; enví=send; =ue=eu; unión europea=eu; =eee=eea; europa=europe eu;
        fuera=outside; extranjero=outside abroad; terceros países=third countries outside eu; país=countries;
        internacional=outside transfer; garantía=safeguards ensure; proteg=protect safeguards; asegur=ensure;
    derecho=rights; opon=object; oposici=object; corrig=correct; rectific=correct; incorrect=wrong incorrect
        correct; erróne=wrong correct; queja=complaint; reclamaci=complaint; denuncia=complaint;
        autoridad=authority; aepd=data protection authority; retir=withdraw; revoc=withdraw revoke; tarifa=fee;
        coste=fee cost; costo=fee cost; cobr=fee charge; gratuit=fee free; solicitud=request; petición=request;
        copia=copy; acceso=access;
    aplica=apply; cubr=apply; persona=person; humano=person; hablar=talk to; compart=share; vend=sell;
        =estado=status; gracias=thanks; recibir=receive; dejar=stop;
    =hacen=do; =hace=do; =hacer=do; tercero=third parties share; terceros países=third countries outside eu;
        socio=partners share; cierr=close; cerr=close; saber=know; =pasa=happens; ocurre=happens; =sin=without;
        tengo que=need to; =debo=need to; =dar=give; dirig=contact; =tienen=have; =tiene=have; estados unidos=usa
        outside eu; =india=india outside eu; china=china outside eu;
    encuesta=surveys; contrat=contract obligations; contractu=contract obligations; atención al cliente=customer
        service; servicio al cliente=customer service; defecto=defects; error=error defects; dispositivo=device;
        aplicación=app; ascensor=elevator equipment; =ley=laws; =leyes=laws; legislación=laws legislation;
        obligad=obligation; obligaci=obligation; subcontrat=subcontractors; filial=KONE companies subsidiaries;
        sesión=session; segmentaci=targeting; dirigid=targeting; visita=visits; configuraci=settings preferences;
        ajuste=settings preferences; banner=cookie banner; representante=representative; empleador=employer
        customer; otra persona=another person; permiso=permission; autorizaci=permission; oferta=tender;
        licitaci=tender; identific=identify; infundad=unfounded; excesiv=excessive; servicio=services;
    =ustedes=you; =usted=you; =su=your; =sus=your; =mi=my; =mis=my; =yo=I;
    =no=not; ya no=no longer; =si=if; facilit=provide; proporcion=provide; comunic=share disclose; =legal=lawful
        legal basis; lícito=lawful legal basis; quejar=complaint; satisfech=concerns; preocupa=concerns; sitio
        web=website; página web=website; =web=website; tipo=types; necesit=need to; sirv=use;
    iniciar sesión=log in use; inicio de sesión=log in use; =creó=created; =creada=created; =creado=created;
        creaci=created; =crear=created; rastre=track monitor analytics; seguimiento=track monitor analytics;
        supervis=monitor analytics; actividad=activity use; ámbito=scope apply;
    """,
}
